/**
 * The guard on the construct-ID contract: the logical IDs of every resource that holds data, keys,
 * identities or an address a wallet keeps. A changed logical ID makes CloudFormation create a new
 * resource: a new table (the retained old one orphaned with every wallet's data), a new signing key
 * (every issued token invalid), a new values bucket (every large value unreadable), a new user pool (every identity lost), a new REST API or domain (a
 * new URL, and every configured wallet pointing at nothing). Refactor the constructs freely; these
 * strings must never change. This is the one test that names hashed logical IDs on purpose.
 */
import { describe, expect, it } from 'vitest';
import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { VssAuth } from '../../lib/auth.js';
import { expectControl } from './controls/evaluate.js';
import { resourcesOf, synth } from './support.js';
import { VssTableEncryption } from '../../lib/options.js';

const idsOf = (template: Parameters<typeof resourcesOf>[0], type: string): string[] => Object.keys(resourcesOf(template, type)).sort();

describe('stateful and address-bearing logical IDs (a contract with every deployed stack)', () => {
  it('table, table key, values bucket, LNURL challenge table and signing key, REST API, stage and custom domain keep their logical IDs', () => {
    const { template } = synth((scope) => ({
      auth: VssAuth.jwt(),
      lnurlAuth: {},
      tableOptions: { encryption: VssTableEncryption.customerManaged() },
      domain: {
        domainName: 'vss.example.com',
        certificate: acm.Certificate.fromCertificateArn(scope, 'Cert', 'arn:aws:acm:eu-west-1:111122223333:certificate/abc'),
      },
    }));
    expect(idsOf(template, 'AWS::DynamoDB::Table')).toEqual(['VssLnurlChallengesE31D4C1D', 'VssTable40F1830D']);
    expect(idsOf(template, 'AWS::KMS::Key')).toEqual(['VssLnurlSigningKeyB00215DA', 'VssTableKey290026EC']);
    expect(idsOf(template, 'AWS::ApiGateway::RestApi')).toEqual(['VssApiB5E9DEC1']);
    expect(idsOf(template, 'AWS::ApiGateway::Stage')).toEqual(['VssApiDeploymentStageprod27F46ED5']);
    expect(idsOf(template, 'AWS::ApiGateway::DomainName')).toEqual(['VssDomainF10C537D']);
    expect(idsOf(template, 'AWS::S3::Bucket')).toEqual(['VssValuesBucketD099CD14']);
    expectControl(template, 'table-logical-id');
    expectControl(template, 'values-bucket-logical-id');
  });

  it('turning backup on (copy, vault lock, drill) changes no stateful logical ID, and pins the backup vault and its key', () => {
    const base = { auth: VssAuth.signature(), tableOptions: { encryption: VssTableEncryption.customerManaged() } };
    const off = synth(base).template;
    const on = synth({
      ...base,
      backup: { copyToRegion: 'eu-central-1', copyToAccount: '444455556666', vaultLock: { minRetention: Duration.days(7) } },
    }).template;
    for (const type of ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage'])
      expect(idsOf(on, type), type).toEqual(idsOf(off, type));
    expectControl(on, 'table-logical-id');
    expectControl(on, 'values-bucket-logical-id');
    expectControl(on, 'backup-vault-encrypted-retained');
    expect(idsOf(on, 'AWS::KMS::Key')).toEqual(['VssBackupKeyDD41FFA7', 'VssTableKey290026EC']);
    expect(idsOf(on, 'AWS::Backup::BackupVault')).toEqual(['VssBackupVault01A48F38']);
    // The table itself is the same resource with the same properties: backup only reads it.
    expect(resourcesOf(on, 'AWS::DynamoDB::Table')).toEqual(resourcesOf(off, 'AWS::DynamoDB::Table'));
  });

  it('the user pool the cognito mode creates keeps its logical ID', () => {
    const { template } = synth({ auth: VssAuth.cognito() });
    expect(idsOf(template, 'AWS::Cognito::UserPool')).toEqual(['VssUserPool72749810']);
    expect(idsOf(template, 'AWS::DynamoDB::Table')).toEqual(['VssTable40F1830D']);
    expect(idsOf(template, 'AWS::ApiGateway::RestApi')).toEqual(['VssApiB5E9DEC1']);
    expect(idsOf(template, 'AWS::S3::Bucket')).toEqual(['VssValuesBucketD099CD14']);
  });
});
