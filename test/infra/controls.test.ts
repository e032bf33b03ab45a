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

  it('docs/security.md links controls by their matrix anchors, each to a control of the matrix, and every control from somewhere', () => {
    const security = readFileSync(path.join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');
    const linked = [...security.matchAll(/\(controls\.md#([a-z0-9-]+)\)/g)].map((m) => m[1]!);
    const ids = CONTROLS.map((c) => c.id);
    expect(linked.filter((id) => !ids.includes(id))).toEqual([]);
    expect(ids.filter((id) => !linked.includes(id))).toEqual([]);
    for (const id of ids) expect(matrix.markdown).toContain(`<a id="${id}"></a>`);
    // A control named in backquotes without its link is a copy that can drift from the matrix.
    const unlinked = [...security.matchAll(/(?<!\[)`([a-z0-9]+(?:-[a-z0-9]+)+)`(?!\]\(controls\.md)/g)].map((m) => m[1]!);
    expect(unlinked.filter((id) => ids.includes(id))).toEqual([]);
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

  describe('the object tier, backup and container door controls fail on the settings they guard', () => {
    type Resources = typeof templates.default;
    const idOf = (resources: Resources, type: string, pick: (r: Resources[string]) => boolean = () => true): string => {
      const found = Object.entries(resources).filter(([, r]) => r.Type === type && pick(r));
      expect(found, type).toHaveLength(1);
      return found[0]![0];
    };
    const withProperties = (resources: Resources, id: string, change: Record<string, unknown>): Resources => ({
      ...resources,
      [id]: { ...resources[id]!, Properties: { ...resources[id]!.Properties, ...change } },
    });
    const failingOn = (control: string, resources: Resources): readonly string[] =>
      evaluateControl(CONTROLS.find((c) => c.id === control)!, resources).failing;

    it('values-bucket-encryption: SSE-S3 on a bucket whose table has a customer-managed key', () => {
      const t = templates['object tier'];
      const bucket = idOf(t, 'AWS::S3::Bucket');
      expect(failingOn('values-bucket-encryption', t)).toEqual([]);
      const sseS3 = { BucketEncryption: templates.default[bucket]!.Properties!['BucketEncryption'] };
      expect(failingOn('values-bucket-encryption', withProperties(t, bucket, sseS3))).toEqual([bucket]);
    });

    it('values-s3-permissions-scoped: an object action on the whole bucket', () => {
      const t = templates.default;
      const policy = idOf(t, 'AWS::IAM::Policy', (r) => JSON.stringify(r).includes('"s3:GetObject"'));
      const document = t[policy]!.Properties!['PolicyDocument'] as { Statement: Array<Record<string, unknown>> };
      const widened = document.Statement.map((s) =>
        s['Action'] === 's3:GetObject' ? { ...s, Resource: JSON.parse(JSON.stringify(s['Resource']).replace('/values/*', '/*')) } : s,
      );
      expect(failingOn('values-s3-permissions-scoped', t)).toEqual([]);
      expect(
        failingOn('values-s3-permissions-scoped', withProperties(t, policy, { PolicyDocument: { ...document, Statement: widened } })),
      ).toEqual([policy]);
    });

    it('values-replication-deletes: delete markers not replicated', () => {
      const t = templates.backup;
      const bucket = idOf(t, 'AWS::S3::Bucket');
      const config = t[bucket]!.Properties!['ReplicationConfiguration'] as { Rules: Array<Record<string, unknown>> };
      const noDeletes = { ...config, Rules: config.Rules.map((r) => ({ ...r, DeleteMarkerReplication: { Status: 'Disabled' } })) };
      expect(failingOn('values-replication-deletes', t)).toEqual([]);
      expect(failingOn('values-replication-deletes', withProperties(t, bucket, { ReplicationConfiguration: noDeletes }))).toEqual([bucket]);
    });

    it('restore-drill-function-read-only: a write on the live table', () => {
      const t = templates.backup;
      const policy = idOf(t, 'AWS::IAM::Policy', (r) => JSON.stringify(r).includes('backup:PutRestoreValidationResult'));
      const document = t[policy]!.Properties!['PolicyDocument'] as { Statement: Array<Record<string, unknown>> };
      const write = { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': ['VssTable40F1830D', 'Arn'] } };
      expect(failingOn('restore-drill-function-read-only', t)).toEqual([]);
      const changed = withProperties(t, policy, { PolicyDocument: { ...document, Statement: [...document.Statement, write] } });
      expect(failingOn('restore-drill-function-read-only', changed)).toEqual([policy]);
    });

    it('container-https-only and container-non-root: a plaintext listener, a task definition without a user', () => {
      const t = templates['container door'];
      const listener = idOf(t, 'AWS::ElasticLoadBalancingV2::Listener');
      expect(failingOn('container-https-only', t)).toEqual([]);
      expect(failingOn('container-https-only', withProperties(t, listener, { Protocol: 'HTTP', Port: 80 }))).toEqual([listener]);
      const task = idOf(t, 'AWS::ECS::TaskDefinition');
      const definitions = t[task]!.Properties!['ContainerDefinitions'] as Array<Record<string, unknown>>;
      const asRoot = definitions.map(({ User: _user, ...rest }) => rest);
      expect(failingOn('container-non-root', t)).toEqual([]);
      expect(failingOn('container-non-root', withProperties(t, task, { ContainerDefinitions: asRoot }))).toEqual([task]);
    });

    it('table-logical-id: the table under another logical ID', () => {
      const { VssTable40F1830D: table, ...rest } = templates.backup;
      expect(failingOn('table-logical-id', templates.backup)).toEqual([]);
      expect(failingOn('table-logical-id', { ...rest, VssTableRenamed: table! })).toEqual(['VssTableRenamed']);
    });
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
