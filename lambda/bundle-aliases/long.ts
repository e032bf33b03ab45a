/**
 * What the Lambda bundles get for the `long` package (the construct's bundling options alias it
 * here). protobufjs/minimal probes for long.js with require('long'); this empty module makes the
 * probe find nothing, and codec.ts installs its own Int64 instead, so long.js (21 KB) is not
 * bundled.
 */
export {};
