/**
 * The value-placement port: where the bytes of a value live when they are not inline in the
 * record's head item (docs/large-values.md). This module is the only reader and writer of a
 * head's descriptor (the `lv` attribute); the store, metering (through the store), recount,
 * erase-user, the sweeper and the bulk tools all go through it.
 *
 * Contract (stable: new tiers are added beside the chunk tier, large-values.ts):
 *   - A tier stages a value somewhere no reader sees yet and returns its descriptor (ValueRef).
 *     Nothing is visible until the store's conditional write of the head points at it: that
 *     write is the commit point. A staged value whose head never committed, or that a later
 *     write replaced, must be found and removed by the tier's own sweeping, because the writer
 *     may crash at any moment.
 *   - `id` is fresh for every staged value (the store's commit conditions compare it, so two
 *     writes are never mistaken for each other); `bytes` is the value's length.
 *   - `read` returns exactly the bytes staged, or undefined when they are gone (the value was
 *     replaced after its head was read: the caller reads the head again); anything that does not
 *     fit the descriptor is an internal error, never bytes to serve.
 *   - `remove` is idempotent and removes only what the descriptor names.
 *   - The descriptor is a map {t S, id B, len N, ...the tier's fields}. The tier tag `t` is left
 *     out for chunks: every descriptor written before tiers existed has none and means chunks, so
 *     what the previous release wrote reads back, and chunk heads stay byte for byte as they were.
 *   - Small values never come here: they stay inline, one request per operation.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { internalError } from '../core/errors.js';
import { TABLE_LAYOUT } from './table-layout.js';

/** The tier of descriptors without a tag: DynamoDB chunk items (large-values.ts). */
export const CHUNKS_TIER = 'chunks';

/** A head's descriptor of a value stored out of line. */
export interface ValueRef {
  /** Which tier holds the bytes. */
  readonly tier: string;
  /** Fresh per staged value. */
  readonly id: Uint8Array;
  /** The value's length in bytes. */
  readonly bytes: number;
  /** The tier's own fields, as it wrote them (chunks: `n`, the chunk count). */
  readonly fields: Readonly<Record<string, AttributeValue>>;
}

/** What a tier needs to stage a value: the head it will belong to, and the value. */
export interface StageRequest {
  readonly pk: string;
  readonly headSk: Uint8Array;
  readonly value: Uint8Array;
  readonly nowMs: number;
}

/** One place value bytes can live. */
export interface ValueTier {
  /** The tag written in its descriptors (CHUNKS_TIER writes none). */
  readonly name: string;
  /** Upper bound of the stored size of its descriptor, attribute names included (head-size arithmetic). */
  readonly descriptorBytes: number;
  stage(request: StageRequest): Promise<ValueRef>;
  read(pk: string, ref: ValueRef): Promise<Uint8Array | undefined>;
  /** The value was replaced or deleted by a committed write. */
  remove(pk: string, ref: ValueRef): Promise<void>;
  /**
   * A staged value whose write definitely did not commit (a conflict, a failed stage). A tier
   * that keeps replaced values for a while (the object tier keeps them for point-in-time
   * recovery) deletes these at once. @default remove
   */
  discard?(pk: string, ref: ValueRef): Promise<void>;
}

/** Descriptor attribute names (inside `lv`). */
const TAG = 't';
const ID = 'id';
const LEN = 'len';
const LV = TABLE_LAYOUT.attributes.largeValue;
const VAL = TABLE_LAYOUT.attributes.value;

/** The tiers a store can read from, and the one new out-of-line values go to. */
export class ValuePlacement {
  private readonly tiers: ReadonlyMap<string, ValueTier>;
  readonly writeTier: ValueTier;

  constructor(tiers: readonly ValueTier[], writeTier: string = CHUNKS_TIER) {
    this.tiers = new Map(tiers.map((t) => [t.name, t]));
    const w = this.tiers.get(writeTier);
    if (!w) throw new Error(`no value tier named ${JSON.stringify(writeTier)}`);
    this.writeTier = w;
  }

  tier(name: string): ValueTier {
    const t = this.tiers.get(name);
    // A descriptor of a tier this code does not know: a newer release wrote it. Never guess.
    if (!t) throw internalError();
    return t;
  }

  stage(request: StageRequest): Promise<ValueRef> {
    return this.writeTier.stage(request);
  }

  async read(pk: string, ref: ValueRef): Promise<Uint8Array | undefined> {
    return this.tier(ref.tier).read(pk, ref);
  }

  async remove(pk: string, ref: ValueRef): Promise<void> {
    return this.tier(ref.tier).remove(pk, ref);
  }

  async discard(pk: string, ref: ValueRef): Promise<void> {
    const tier = this.tier(ref.tier);
    return tier.discard ? tier.discard(pk, ref) : tier.remove(pk, ref);
  }
}

/** The descriptor in a head item (undefined: the value is inline, or there is no item). */
export function valueRefOf(item: Record<string, AttributeValue> | undefined): ValueRef | undefined {
  const m = item?.[LV]?.M;
  if (!m) return undefined;
  const id = m[ID]?.B;
  const len = m[LEN]?.N;
  if (!id || len === undefined) return undefined;
  const fields: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(m)) if (name !== TAG && name !== ID && name !== LEN) fields[name] = value;
  return { tier: m[TAG]?.S ?? CHUNKS_TIER, id, bytes: Number(len), fields };
}

/** The `lv` attribute value of a descriptor. */
export function valueRefAttribute(ref: ValueRef): AttributeValue {
  return {
    M: {
      ...(ref.tier === CHUNKS_TIER ? {} : { [TAG]: { S: ref.tier } }),
      [ID]: { B: ref.id },
      ...ref.fields,
      [LEN]: { N: String(ref.bytes) },
    },
  };
}

/** Names for a condition on the descriptor's id: `#lv.#lvid = :lvid`. */
export const VALUE_REF_ID_NAME = ID;

/** A record's value length, wherever the value lives (the size operation of the port). */
export function valueBytesOf(item: Record<string, AttributeValue>): number {
  const ref = valueRefOf(item);
  return ref ? ref.bytes : (item[VAL]?.B?.length ?? 0);
}

/** Do two descriptors name the same staged value? (Both absent counts as the same.) */
export function sameValueRef(a: Pick<ValueRef, 'id'> | undefined, b: Pick<ValueRef, 'id'> | undefined): boolean {
  return sameId(a?.id, b?.id);
}

export function sameId(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return Buffer.from(a).equals(Buffer.from(b));
}
