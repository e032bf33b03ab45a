/**
 * What the Lambda bundles get for `@smithy/core/event-streams` (the construct's bundling options
 * alias it here). The SDK imports it lazily for operations with event streams; DynamoDB and KMS
 * have none, so its 15 KB would never run. Should an operation ever need it, it fails loudly.
 */
function notBundled(): never {
  throw new Error('@smithy/core/event-streams is not bundled into the VSS functions (lib/private/functions.ts BUNDLING)');
}

export const eventStreamSerdeProvider = notBundled;

export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}

/**
 * The S3 client resolves its event-stream marshaller when it is constructed (for SelectObjectContent,
 * which the object tier never calls). Constructing must work; using a marshaller fails loudly.
 */
export const resolveEventStreamSerdeConfig = <T extends object>(input: T): T & { eventStreamMarshaller: object } =>
  Object.assign(input, { eventStreamMarshaller: { serialize: notBundled, deserialize: notBundled } });
