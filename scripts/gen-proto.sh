#!/usr/bin/env bash
# Regenerates the static protobuf codec from proto/vss.proto. The output is committed; a test
# (test/unit/codec.test.ts) fails when it drifts from the .proto.
set -euo pipefail
cd "$(dirname "$0")/.."
out=lambda/core/generated
npx pbjs -t static-module -w es6 --force-long --no-create --no-verify --no-convert --no-delimited --no-typeurl \
  proto/vss.proto -o "$out/vss.js"
npx pbts "$out/vss.js" -o "$out/vss.d.ts"
