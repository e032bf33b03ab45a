/** The archive format: exact round trip, and every kind of damage refused with a clear message. */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { ArchiveError, ArchiveWriter, verifyArchive, type ArchiveItem } from '../../cli/archive.js';

async function build(items: ArchiveItem[], itemCount = items.length): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new ArchiveWriter(out);
  await w.writeHeader({ source: 'http://x/vss', storeId: '', createdAt: '2026-01-01T00:00:00.000Z', globalVersion: '-1', itemCount });
  for (const i of items) await w.writeItem(i);
  await w.finish();
  out.end();
  return Buffer.concat(chunks);
}

/** Feeds the bytes in small, uneven chunks, as a file or pipe may deliver them. */
async function* chunked(b: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0, n = 1; i < b.length; i += n, n = (n * 7 + 3) % 4096 || 1) yield b.subarray(i, i + n);
}

const items: ArchiveItem[] = [
  { key: '', version: 0n, value: new Uint8Array(0) },
  { key: 'ü/🔑', version: (1n << 63n) - 1n, value: randomBytes(70_000) },
  { key: 'k'.repeat(600), version: -1n, value: Buffer.from('x') },
];

describe('archive', () => {
  it('round-trips keys, int64 versions and values exactly, read in arbitrary chunks', async () => {
    const bytes = await build(items);
    const read: ArchiveItem[] = [];
    const { header, items: n, valueBytes } = await verifyArchive(chunked(bytes), (i) => void read.push(i));
    expect(header).toMatchObject({ format: 1, storeId: '', globalVersion: '-1', itemCount: 3 });
    expect(n).toBe(3);
    expect(valueBytes).toBe(70_001);
    expect(read.map((i) => [i.key, i.version, Buffer.from(i.value).toString('hex')])).toEqual(
      items.map((i) => [i.key, i.version, Buffer.from(i.value).toString('hex')]),
    );
  });

  it('refuses every flipped byte of header, items and trailer', async () => {
    const bytes = await build(items.slice(0, 1).concat({ key: 'a', version: 3n, value: Buffer.from('hi') }));
    for (let i = 0; i < bytes.length; i++) {
      const bad = Buffer.from(bytes);
      bad[i]! ^= 0x04;
      await expect(verifyArchive(chunked(bad)), `byte ${i}`).rejects.toBeInstanceOf(ArchiveError);
    }
  });

  it('refuses truncation at every length, trailing data, and a wrong item count in the header', async () => {
    const bytes = await build(items);
    for (const cut of [0, 3, 6, 10, 50, bytes.length - 70_010, bytes.length - 41, bytes.length - 1]) {
      await expect(verifyArchive(chunked(bytes.subarray(0, cut))), `cut ${cut}`).rejects.toThrow(
        cut === 0 ? /not a VSS archive/ : /truncated|corrupt/,
      );
    }
    await expect(verifyArchive(chunked(Buffer.concat([bytes, Buffer.from([0])])))).rejects.toThrow(/after the trailer/);
    await expect(verifyArchive(chunked(await build(items, 2)))).rejects.toThrow(/announces 2 items/);
  });
});
