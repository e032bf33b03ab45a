/**
 * The responses API Gateway (and WAF, through it) generates by itself, each turned into a VSS
 * protocol error (docs/protocol.md §2.2, §2.4, §7.2): the mapped status, the `vss-protocol-version: 0` header
 * and a protobuf `ErrorResponse` body built by the same codec the handlers use.
 *
 * A short ASCII `ErrorResponse` serializes to bytes that are all below 0x80, so it can be a fixed
 * response template. The template language is VTL, so the body must not contain `$`, `#` or `\`
 * (a message length of 35 or 36 would put `#` or `$` into the length byte); `protocolErrorBody`
 * enforces that, and a test checks every entry.
 */
import { ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER, WIRE_ERROR_CODES, type WireErrorCode } from '../../lambda/contract.js';

export interface ProtocolErrorMapping {
  /** The response type API Gateway generates. */
  readonly type: ResponseType;
  /**
   * HTTP status sent to the client.
   * @default - the status API Gateway chose (used for the DEFAULT_4XX / DEFAULT_5XX catch-alls)
   */
  readonly status?: number;
  readonly code: WireErrorCode;
  readonly message: string;
}

const AUTH = WIRE_ERROR_CODES.AUTH_EXCEPTION;
const INVALID = WIRE_ERROR_CODES.INVALID_REQUEST_EXCEPTION;
const INTERNAL = WIRE_ERROR_CODES.INTERNAL_SERVER_EXCEPTION;

/**
 * Every response type API Gateway or WAF can produce without reaching a handler.
 * Auth failures are 401 AUTH_EXCEPTION; bad path/method/body 400 INVALID_REQUEST_EXCEPTION;
 * too large 413; throttling (API Gateway or WAF rate rules) 429 INTERNAL_SERVER_EXCEPTION so
 * clients back off and retry; our own faults 5xx INTERNAL_SERVER_EXCEPTION (retried).
 */
export const GATEWAY_RESPONSES: readonly ProtocolErrorMapping[] = [
  { type: ResponseType.DEFAULT_4XX, code: INVALID, message: 'Invalid request.' },
  { type: ResponseType.DEFAULT_5XX, code: INTERNAL, message: 'Unknown Server Error occurred.' },
  { type: ResponseType.UNAUTHORIZED, status: 401, code: AUTH, message: 'Authorization header not found or invalid.' },
  { type: ResponseType.ACCESS_DENIED, status: 401, code: AUTH, message: 'Authorization failed.' },
  { type: ResponseType.INVALID_SIGNATURE, status: 401, code: AUTH, message: 'Authorization failed.' },
  { type: ResponseType.EXPIRED_TOKEN, status: 401, code: AUTH, message: 'Authorization token expired.' },
  { type: ResponseType.INVALID_API_KEY, status: 401, code: AUTH, message: 'Authorization failed.' },
  // API Gateway answers an unknown path or method with MISSING_AUTHENTICATION_TOKEN (403).
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 400, code: INVALID, message: 'Invalid request path.' },
  { type: ResponseType.RESOURCE_NOT_FOUND, status: 400, code: INVALID, message: 'Invalid request path.' },
  { type: ResponseType.BAD_REQUEST_BODY, status: 400, code: INVALID, message: 'Error parsing request' },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, status: 400, code: INVALID, message: 'Invalid request parameters.' },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, status: 400, code: INVALID, message: 'Unsupported media type.' },
  { type: ResponseType.REQUEST_TOO_LARGE, status: 413, code: INVALID, message: 'Request body too large' },
  { type: ResponseType.THROTTLED, status: 429, code: INTERNAL, message: 'Too many requests; retry with backoff.' },
  { type: ResponseType.QUOTA_EXCEEDED, status: 429, code: INTERNAL, message: 'Request quota exceeded; please retry later.' },
  // The only blocking WAF rules are rate limits and AWS's IP reputation list: back off and retry.
  { type: ResponseType.WAF_FILTERED, status: 429, code: INTERNAL, message: 'Request blocked by the firewall; retry later.' },
  { type: ResponseType.INTEGRATION_FAILURE, status: 502, code: INTERNAL, message: 'Unknown Server Error occurred.' },
  { type: ResponseType.INTEGRATION_TIMEOUT, status: 504, code: INTERNAL, message: 'Unknown Server Error occurred.' },
  // An authorizer that crashed or timed out is our fault, not the client's: retryable 500.
  { type: ResponseType.AUTHORIZER_FAILURE, status: 500, code: INTERNAL, message: 'Unknown Server Error occurred.' },
  { type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR, status: 500, code: INTERNAL, message: 'Unknown Server Error occurred.' },
  { type: ResponseType.API_CONFIGURATION_ERROR, status: 500, code: INTERNAL, message: 'Unknown Server Error occurred.' },
];

/** Response headers of every gateway response (values are API Gateway static-value literals). */
export const GATEWAY_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  [PROTOCOL_VERSION_HEADER]: `'${PROTOCOL_VERSION}'`,
  'Content-Type': "'application/octet-stream'",
};

/** Content types the body template is registered for (API Gateway picks one by Accept). */
export const GATEWAY_RESPONSE_CONTENT_TYPES = ['application/json', 'application/octet-stream', 'text/plain'] as const;

/**
 * A serialized `ErrorResponse { error_code = 1; message = 2 }` (proto/vss.proto), written here so
 * synth needs no protobuf runtime; a test proves it equals the handlers' codec byte for byte.
 * Only what gateway responses need: a code below 128 and a message shorter than 128 bytes.
 */
export function encodeGatewayErrorResponse(code: WireErrorCode, message: string): Uint8Array {
  const text = new TextEncoder().encode(message);
  if (text.length > 127) throw new Error(`gateway error message too long for a one-byte length: "${message}"`);
  return Uint8Array.from([0x08, code, 0x12, text.length, ...text]);
}

/** The serialized ErrorResponse as a VTL-safe template string (bytes 0x01-0x7F, no `$#\`). */
export function protocolErrorBody(code: WireErrorCode, message: string): string {
  const bytes = encodeGatewayErrorResponse(code, message);
  for (const b of bytes) {
    if (b === 0 || b >= 0x80 || b === 0x24 || b === 0x23 || b === 0x5c) {
      throw new Error(
        `ErrorResponse for "${message}" cannot be a gateway response template: byte 0x${b.toString(16)} (use short ASCII without $, # or \\, and avoid lengths 35/36)`,
      );
    }
  }
  return Buffer.from(bytes).toString('latin1');
}
