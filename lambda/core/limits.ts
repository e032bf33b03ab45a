/** Protocol limits of this service (spec §3.4, §4, §13.3, §13.5). */

/** Default and maximum number of keys in one ListKeyVersions page (Rust: LIST_KEY_VERSIONS_MAX_PAGE_SIZE). */
export const LIST_PAGE_SIZE_MAX = 100;

/** DynamoDB TransactWriteItems accepts at most 100 actions (spec §13.5). */
export const MAX_ACTIONS_PER_PUT = 100;

/** Keys longer than this many UTF-8 bytes are rejected (spec §13.3; DynamoDB's sort-key limit). */
export const MAX_KEY_BYTES = 1024;

/** store_id longer than this many characters is rejected (spec §13.3; the reference's varchar(120)). */
export const MAX_STORE_ID_CHARS = 120;

/** The special key that holds a store's global version (spec §3.1, §13.1). */
export const GLOBAL_VERSION_KEY = 'global_version';

/** int64 bounds, for version arithmetic that saturates like the Rust reference. */
export const INT64_MAX = 0x7fffffffffffffffn;
export const INT64_MIN = -0x8000000000000000n;
