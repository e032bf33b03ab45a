/**
 * The portable archive of one store (docs/archive-format.md): what `vss export` writes and
 * `vss import` reads. Binary, streamed both ways (memory holds one item at a time), with exact
 * int64 versions and raw value bytes.
 *
 *   magic        "VSSA" and the format version, u16 big-endian (1)
 *   header       u32 length, then that many bytes of UTF-8 JSON (ArchiveHeader)
 *   items        per item, oldest-created first:
 *                  0x49 'I', u32 key length, key (UTF-8), version (int64), u32 value length, value
 *   trailer      0x54 'T', u64 item count, SHA-256 of every byte before the trailer
 *   end of file  nothing may follow the trailer
 * All integers are big-endian.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export const ARCHIVE_MAGIC = Buffer.from('VSSA', 'ascii');
export const ARCHIVE_FORMAT_VERSION = 1;
const ITEM_TAG = 0x49;
const TRAILER_TAG = 0x54;
/** Refused beyond these, so a corrupt length can never make the reader allocate without bound. */
const MAX_HEADER_BYTES = 1 << 20;
const MAX_KEY_BYTES = 1 << 16;
export const MAX_VALUE_BYTES = 1 << 30;

export interface ArchiveHeader {
  readonly format: number;
  /** Where the store came from (the server URL, with no credentials). */
  readonly source: string;
  readonly storeId: string;
  /** When the export started, ISO 8601. */
  readonly createdAt: string;
  /** The store's global_version when listed, decimal. */
  readonly globalVersion: string;
  readonly itemCount: number;
}

export interface ArchiveItem {
  readonly key: string;
  readonly version: bigint;
  readonly value: Uint8Array;
}

/** The archive is not one, or not intact: nothing read from it may be trusted. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/** Writes an archive to a stream, honouring backpressure. */
export class ArchiveWriter {
  private readonly hash: Hash = createHash('sha256');
  private items = 0;
  private bytes = 0;

  constructor(private readonly out: Writable) {}

  async writeHeader(header: Omit<ArchiveHeader, 'format'>): Promise<void> {
    const json = Buffer.from(JSON.stringify({ format: ARCHIVE_FORMAT_VERSION, ...header }), 'utf8');
    const head = Buffer.alloc(ARCHIVE_MAGIC.length + 2 + 4);
    ARCHIVE_MAGIC.copy(head);
    head.writeUInt16BE(ARCHIVE_FORMAT_VERSION, 4);
    head.writeUInt32BE(json.length, 6);
    await this.write(head, true);
    await this.write(json, true);
  }

  async writeItem(item: ArchiveItem): Promise<void> {
    const key = Buffer.from(item.key, 'utf8');
    const head = Buffer.alloc(1 + 4 + key.length + 8 + 4);
    let o = head.writeUInt8(ITEM_TAG, 0);
    o = head.writeUInt32BE(key.length, o);
    o += key.copy(head, o);
    o = head.writeBigInt64BE(item.version, o);
    head.writeUInt32BE(item.value.length, o);
    await this.write(head, true);
    await this.write(item.value, true);
    this.items++;
    this.bytes += item.value.length;
  }

  /** Writes the trailer; the caller then ends the stream. */
  async finish(): Promise<{ items: number; valueBytes: number; sha256: string }> {
    const digest = this.hash.digest();
    const trailer = Buffer.alloc(1 + 8);
    trailer.writeUInt8(TRAILER_TAG, 0);
    trailer.writeBigUInt64BE(BigInt(this.items), 1);
    await this.write(trailer, false);
    await this.write(digest, false);
    return { items: this.items, valueBytes: this.bytes, sha256: digest.toString('hex') };
  }

  private async write(chunk: Uint8Array, hashed: boolean): Promise<void> {
    // A stream that failed (disk full, closed pipe) never drains: fail instead of waiting.
    if (this.out.errored) throw this.out.errored;
    if (hashed) this.hash.update(chunk);
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}

/** Pulls exact byte counts from a stream of chunks, hashing what it hands out when asked to. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  offset = 0;

  constructor(
    private readonly source: AsyncIterator<Buffer | Uint8Array | string>,
    readonly hash: Hash,
  ) {}

  /** Exactly n bytes, or undefined at a clean end of input before the first of them. */
  async read(n: number, hashed = true): Promise<Buffer | undefined> {
    while (this.buffered < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        const b =
          typeof next.value === 'string'
            ? Buffer.from(next.value)
            : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
        this.chunks.push(b);
        this.buffered += b.length;
      }
    }
    if (this.buffered < n) {
      if (this.buffered === 0 && n > 0) return undefined;
      throw new ArchiveError(`the archive is truncated (it ends inside a record at byte ${this.offset + this.buffered})`);
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.offset += n;
    if (hashed) this.hash.update(out);
    return out;
  }

  async need(n: number, what: string, hashed = true): Promise<Buffer> {
    const b = await this.read(n, hashed);
    if (!b) throw new ArchiveError(`the archive is truncated (no ${what} at byte ${this.offset})`);
    return b;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads an archive: yields its header, then every item in order; throws ArchiveError as soon as
 * anything is wrong, and at the end unless the trailer's count and SHA-256 match what was read.
 * A consumer that must not act on a damaged archive reads it through once first (verifyArchive).
 */
export async function* readArchive(
  source: AsyncIterable<Buffer | Uint8Array | string>,
): AsyncGenerator<ArchiveHeader | ArchiveItem, void, undefined> {
  const r = new ByteReader(source[Symbol.asyncIterator](), createHash('sha256'));
  const magic = await r.read(6);
  if (!magic?.subarray(0, 4).equals(ARCHIVE_MAGIC)) throw new ArchiveError('this is not a VSS archive (wrong magic bytes)');
  const format = magic.readUInt16BE(4);
  if (format !== ARCHIVE_FORMAT_VERSION)
    throw new ArchiveError(`archive format ${format} is not supported (this vss reads format ${ARCHIVE_FORMAT_VERSION})`);
  const headerLength = (await r.need(4, 'header length')).readUInt32BE(0);
  if (headerLength > MAX_HEADER_BYTES) throw new ArchiveError('the archive header is corrupt (impossible length)');
  const header = parseHeader(await r.need(headerLength, 'header'));
  yield header;
  let items = 0;
  for (;;) {
    // The trailer is not part of the checksum: its tag is hashed only once it is an item's.
    const tagByte = await r.need(1, 'item or trailer', false);
    const tag = tagByte[0];
    if (tag === TRAILER_TAG) break;
    if (tag !== ITEM_TAG) throw new ArchiveError(`the archive is corrupt (unknown record type at byte ${r.offset - 1})`);
    r.hash.update(tagByte);
    const keyLength = (await r.need(4, 'key length')).readUInt32BE(0);
    if (keyLength > MAX_KEY_BYTES) throw new ArchiveError(`the archive is corrupt (impossible key length at byte ${r.offset - 4})`);
    let key: string;
    try {
      key = strictUtf8.decode(await r.need(keyLength, 'key'));
    } catch (e) {
      if (e instanceof ArchiveError) throw e;
      throw new ArchiveError(`the archive is corrupt (a key is not UTF-8, before byte ${r.offset})`);
    }
    const version = (await r.need(8, 'version')).readBigInt64BE(0);
    const valueLength = (await r.need(4, 'value length')).readUInt32BE(0);
    if (valueLength > MAX_VALUE_BYTES) throw new ArchiveError(`the archive is corrupt (impossible value length at byte ${r.offset - 4})`);
    const value = valueLength === 0 ? new Uint8Array(0) : await r.need(valueLength, 'value');
    items++;
    yield { key, version, value };
  }
  const digest = r.hash.digest();
  const count = (await r.need(8, 'item count', false)).readBigUInt64BE(0);
  const expected = await r.need(32, 'checksum', false);
  if (count !== BigInt(items)) throw new ArchiveError(`the archive is corrupt (its trailer counts ${count} items, ${items} were read)`);
  if (!digest.equals(expected))
    throw new ArchiveError('the archive is corrupt (SHA-256 mismatch: its contents changed after it was written)');
  if (BigInt(header.itemCount) !== count)
    throw new ArchiveError(`the archive is corrupt (its header announces ${header.itemCount} items, it holds ${count})`);
  if ((await r.read(1, false)) !== undefined) throw new ArchiveError('the archive is corrupt (data after the trailer)');
}

function parseHeader(bytes: Buffer): ArchiveHeader {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(strictUtf8.decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new ArchiveError('the archive header is corrupt (not JSON)');
  }
  const ok =
    h !== null &&
    typeof h === 'object' &&
    h['format'] === ARCHIVE_FORMAT_VERSION &&
    typeof h['source'] === 'string' &&
    typeof h['storeId'] === 'string' &&
    typeof h['createdAt'] === 'string' &&
    typeof h['globalVersion'] === 'string' &&
    /^-?[0-9]+$/.test(h['globalVersion']) &&
    Number.isSafeInteger(h['itemCount']) &&
    (h['itemCount'] as number) >= 0;
  if (!ok) throw new ArchiveError('the archive header is corrupt (missing or invalid fields)');
  return h as unknown as ArchiveHeader;
}

export function isHeader(x: ArchiveHeader | ArchiveItem): x is ArchiveHeader {
  return 'format' in x;
}

/** Reads a whole archive without keeping it: its header and totals, or ArchiveError. */
export async function verifyArchive(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  onItem?: (item: ArchiveItem) => void | Promise<void>,
): Promise<{ header: ArchiveHeader; items: number; valueBytes: number }> {
  let header: ArchiveHeader | undefined;
  let items = 0;
  let valueBytes = 0;
  for await (const x of readArchive(source)) {
    if (isHeader(x)) header = x;
    else {
      items++;
      valueBytes += x.value.length;
      await onItem?.(x);
    }
  }
  return { header: header!, items, valueBytes };
}
