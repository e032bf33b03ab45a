/**
 * The DynamoDB table layout: the single source of truth shared by the store, the local engine
 * bootstrap and the CDK construct (which imports these names so the deployed table and the code
 * can never disagree). Documented in docs/data-model.md.
 *
 * One item per record:
 *   pk  (S)  partition key: unambiguous encoding of (user_token, store_id)       – keys.ts
 *   sk  (B)  sort key: the record key as UTF-8 bytes; the empty key is 0xFF     – keys.ts
 *   ver (N)  the record's version (int64)
 *   val (B)  the value, when it is stored inline
 *   seq (N)  creation position; set once on insert, kept across updates        – seq-clock.ts
 * Local secondary index `bySeq` (pk, seq) projects `ver` so a listing is one consistent Query.
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
  attributes: {
    version: 'ver',
    value: 'val',
    seq: 'seq',
  },
} as const;

export type TableLayout = typeof TABLE_LAYOUT;
