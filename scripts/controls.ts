/**
 * `npm run docs:controls`: writes docs/controls.md, the controls matrix, from the synthesized
 * templates of every variant in test/infra/controls/catalogue.ts and the tests that assert each
 * control. test/infra/controls.test.ts regenerates it and fails when the committed file differs,
 * or when a control does not hold, meets no resource in a variant it is meant for, or has no
 * asserting test. This script refuses to write a matrix with such problems.
 *
 * To add a variant (say, a new front door): one entry in VARIANTS of catalogue.ts, its name and the
 * props the tests synthesize it with (an object, or a function of the stack scope when a prop
 * needs one, such as an imported bucket). Every control meant for 'all' variants is then checked on it.
 * To add a control: one entry in CONTROLS of catalogue.ts (id, resource type, select, setting,
 * holds, and `in` if it applies to some variants only), and an `expectControl(template, '<id>')`
 * in the test that asserts it (test/infra/controls/evaluate.ts). Then run `npm run docs:controls`
 * and commit docs/controls.md.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../lib/private/functions.js';
import { buildControlsMatrix } from '../test/infra/controls/matrix.js';

export const CONTROLS_DOC = path.join(PROJECT_ROOT, 'docs', 'controls.md');

const matrix = buildControlsMatrix(PROJECT_ROOT);
if (matrix.problems.length > 0) {
  process.stderr.write(`docs:controls: not written, fix first:\n  - ${matrix.problems.join('\n  - ')}\n`);
  process.exit(1);
}
writeFileSync(CONTROLS_DOC, matrix.markdown);
process.stdout.write(`wrote ${path.relative(PROJECT_ROOT, CONTROLS_DOC)}: ${matrix.rows.length} controls\n`);
