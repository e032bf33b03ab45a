/**
 * How the object store reads a GetObject body (lambda/store/s3-object-store.ts `readBody`): into
 * one buffer of the announced length as the bytes arrive, refusing a body of any other length
 * (a copy past the end would otherwise be cut silently), and whole when no length was announced.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../lambda/store/s3-object-store.js';

const chunks = (...sizes: number[]): Readable => Readable.from(sizes.map((n, i) => Buffer.alloc(n, i + 1)));
const expected = (...sizes: number[]): Buffer => Buffer.concat(sizes.map((n, i) => Buffer.alloc(n, i + 1)));

describe('readBody', () => {
  it('reads chunks into one buffer of the announced length, byte for byte', async () => {
    const got = await readBody(chunks(3, 5, 1), 10_000, 9);
    expect(Buffer.from(got).equals(expected(3, 5, 1))).toBe(true);
    expect(got.byteLength).toBe(9);
  });

  it('refuses a body longer than announced instead of cutting it', async () => {
    await expect(readBody(chunks(4, 4), 10_000, 6)).rejects.toThrow('S3 response body: more than the 6 bytes announced');
  });

  it('refuses a body shorter than announced', async () => {
    await expect(readBody(chunks(4), 10_000, 6)).rejects.toThrow('S3 response body: 4 of the 6 bytes announced');
  });

  it('reads a body of unannounced length whole, and an empty one as zero bytes', async () => {
    expect(Buffer.from(await readBody(chunks(2, 3), 10_000)).equals(expected(2, 3))).toBe(true);
    expect((await readBody(chunks(), 10_000, 0)).byteLength).toBe(0);
    expect((await readBody(undefined, 10_000, 0)).byteLength).toBe(0);
  });
});
