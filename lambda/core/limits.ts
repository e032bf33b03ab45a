/** Protocol limits of this service (docs/protocol.md §3.4, §4, §7.3, §7.5). */

/** Default and maximum number of keys in one ListKeyVersions page (Rust: LIST_KEY_VERSIONS_MAX_PAGE_SIZE). */
export const LIST_PAGE_SIZE_MAX = 100;

/** DynamoDB TransactWriteItems accepts at most 100 actions (docs/protocol.md §7.5). */
export const MAX_ACTIONS_PER_PUT = 100;

/** Keys longer than this many UTF-8 bytes are rejected (docs/protocol.md §7.3; DynamoDB's sort-key limit). */
export const MAX_KEY_BYTES = 1024;

/** store_id longer than this many characters is rejected (docs/protocol.md §7.3; the reference's varchar(120)). */
export const MAX_STORE_ID_CHARS = 120;

/** The special key that holds a store's global version (docs/protocol.md §3.1, §7.1). */
export const GLOBAL_VERSION_KEY = 'global_version';

/** int64 bounds, for version arithmetic that saturates like the Rust reference. */
export const INT64_MAX = 0x7fffffffffffffffn;
export const INT64_MIN = -0x8000000000000000n;

/**
 * Lambda's synchronous invocation payload limit: the whole API Gateway proxy event, as JSON
 * ("Request must be smaller than 6291456 bytes for the InvokeFunction operation").
 */
export const LAMBDA_SYNC_PAYLOAD_BYTES = 6_291_456;

/**
 * Room kept for everything in the proxy event besides the body: headers appear twice (`headers`
 * and `multiValueHeaders`, API Gateway allows 10,240 bytes of them, JSON escaping can grow them),
 * the request context and the authorizer context.
 */
export const PROXY_EVENT_ENVELOPE_BYTES = 131_072;

/**
 * The largest request body (raw protobuf) the platform carries: what is left of the invocation
 * payload after the envelope, as base64 (4 characters per 3 bytes). = 4,620,288 bytes.
 * The GetObject response for the largest value stays below Lambda's response limit too.
 */
export const MAX_REQUEST_BODY_BYTES = Math.floor((LAMBDA_SYNC_PAYLOAD_BYTES - PROXY_EVENT_ENVELOPE_BYTES) / 4) * 3;

/**
 * The largest response body the Lambda door returns: the response travels base64 in a 6 MB
 * payload too, so the same arithmetic holds. A GetObject of a larger value (written through the
 * container door, or moved by pg-import) is refused with a protocol error saying so, instead of
 * failing in Lambda and reaching the client as a retried 502 (docs/deploy.md, "Choosing a front door").
 */
export const MAX_RESPONSE_BODY_BYTES = MAX_REQUEST_BODY_BYTES;
