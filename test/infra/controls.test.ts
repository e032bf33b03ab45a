/**
 * docs/controls.md cannot drift: regenerated here from the synthesized variants and the tests'
 * `expectControl` calls, it must equal the committed file, every control must hold where it is
 * meant to and have a test that asserts it. The scanner that finds those tests is checked too.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/private/functions.js';
import { controlAssertions } from './controls/asserting-tests.js';
import { CONTROLS } from './controls/catalogue.js';
import { evaluateControl } from './controls/evaluate.js';
import { buildControlsMatrix, synthesizeVariants } from './controls/matrix.js';

describe('controls matrix (docs/controls.md)', () => {
  const templates = synthesizeVariants();
  const matrix = buildControlsMatrix(PROJECT_ROOT, templates);

  it('every control holds in every variant it is checked in, and a test asserts each', () => {
    expect(matrix.problems).toEqual([]);
  });

  it('docs/controls.md is exactly what npm run docs:controls generates (run it and commit the file)', () => {
    expect(readFileSync(path.join(PROJECT_ROOT, 'docs', 'controls.md'), 'utf8')).toBe(matrix.markdown);
  });

  it('a setting that does not hold, or a control no test asserts, is reported (the check is live)', () => {
    const pitr = CONTROLS.find((c) => c.id === 'table-pitr')!;
    const table = Object.entries(templates.default).find(([, r]) => r.Type === 'AWS::DynamoDB::Table')!;
    const broken = {
      ...templates.default,
      [table[0]]: { ...table[1], Properties: { ...table[1].Properties, PointInTimeRecoverySpecification: {} } },
    };
    expect(evaluateControl(pitr, broken)).toEqual({ matched: [table[0]], failing: [table[0]] });
    const withBroken = buildControlsMatrix(PROJECT_ROOT, { ...templates, default: broken });
    expect(withBroken.problems).toEqual([`table-pitr: ${pitr.setting} does not hold on ${table[0]} in variant "default"`]);
  });

  it('finds expectControl calls in the test that holds them, past strings, comments, templates and regular expressions', () => {
    const source = [
      "describe('d', () => {",
      "  it('first (one) test', () => { const re = /\\)'/; expectControl(t, 'a'); });",
      "  // it('commented', () => expectControl(t, 'x'));",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text fed to the scanner
      "  it(`templated ${name} test`, () => { const s = ')'; if (`${s})`) expectControl(synth({ a: [1, 2] }).template, 'b'); });",
      "  it('no control', () => { expectControl(t, variable); });",
      '});',
      "expectControl(t, 'outside');",
    ].join('\n');
    expect(controlAssertions(source)).toEqual([
      { control: 'a', test: 'first (one) test' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the name as written in the source
      { control: 'b', test: 'templated ${name} test' },
    ]);
  });
});
