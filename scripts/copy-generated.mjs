// `npm run build:server`: tsc compiles only TypeScript, so the generated protobuf codec
// (lambda/core/generated/vss.js, scripts/gen-proto.sh) is copied beside the compiled modules
// that import it.
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist/lambda/core/generated', { recursive: true });
for (const f of ['vss.js', 'vss.d.ts']) copyFileSync(`lambda/core/generated/${f}`, `dist/lambda/core/generated/${f}`);
