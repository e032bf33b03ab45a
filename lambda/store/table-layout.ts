/**
 * The DynamoDB table layout: the single source of truth shared by the store, the local engine
 * bootstrap and the CDK construct (which imports these names so the deployed table and the code
 * can never disagree). Documented in docs/data-model.md.
 *
 * Record heads (one item per VSS record):
 *   pk  (S)  partition key: unambiguous encoding of (user_token, store_id)       – keys.ts
 *   sk  (B)  sort key: the record key as UTF-8 bytes; the empty key is 0xFF     – keys.ts
 *   ver (N)  the record's version (int64)
 *   val (B)  the value, when it is stored inline (fits one item)
 *   lv  (M)  or a large value's descriptor {id B, n N, len N}: its chunks (value-placement.ts;
 *            another tier adds its tag t S and its own fields)
 *   seq (N)  creation position; set once on insert, kept across updates        – seq-clock.ts
 * Large values (large-values.ts), in the same partition, never in the creation index:
 *   chunk      sk = 0xFE ‖ id(16) ‖ index(u16)   val (B)
 *   chunk set  sk = 0xFD ‖ id(16)                gcHead (B), gcN (N), gcShard (S), gcAt (N)
 * Values in the object tier (object-tier.ts): `lv` is {t 's3', id B, k S, len N, sha B}, and a
 * record like a chunk set's, with gcN 0, names the object:
 *   object     sk = 0xFD ‖ id(16)                gcHead, gcN = 0, gcKey (S), gcShard, gcAt,
 *                                                gcDel (N, deletable from), gcAbandon (BOOL)
 * Local secondary index `bySeq` (pk, seq) projects `ver`: a listing is one consistent Query.
 * Global secondary index `byGc` (gcShard, gcAt), sparse over chunk-set records: the sweeper's
 * way to find leftovers of writes that crashed, without a Scan.
 */
export const TABLE_LAYOUT = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'B' },
  creationIndex: {
    name: 'bySeq',
    sortKey: { name: 'seq', type: 'N' },
    /** Non-key attributes projected into the index (keys are always projected). */
    nonKeyAttributes: ['ver'],
  },
  sweepIndex: {
    name: 'byGc',
    partitionKey: { name: 'gcShard', type: 'S' },
    sortKey: { name: 'gcAt', type: 'N' },
    nonKeyAttributes: ['gcHead', 'gcN'],
  },
  attributes: {
    version: 'ver',
    value: 'val',
    largeValue: 'lv',
    seq: 'seq',
    chunkSetHead: 'gcHead',
    chunkSetCount: 'gcN',
    sweepShard: 'gcShard',
    sweepAt: 'gcAt',
    /** Object records (object-tier.ts): the object's key, when it may be deleted, a failed write's mark. */
    objectKey: 'gcKey',
    objectDeleteAt: 'gcDel',
    objectAbandoned: 'gcAbandon',
  },
} as const;

export type TableLayout = typeof TABLE_LAYOUT;
