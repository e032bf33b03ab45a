/**
 * The `backup` settings in the one schema: off by default, every value checked, the rules
 * between settings that would otherwise fail at deploy (or fail every backup job), and the
 * mapping to construct props; the construct's props are checked by the same rules.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parseConfig, toServiceProps } from '../../bin/config.js';
import { VssAuth } from '../../lib/auth.js';
import { VssService } from '../../lib/vss-service.js';

const problems = (raw: unknown): string => {
  try {
    parseConfig(raw, {});
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('backup configuration', () => {
  it('is off by default: no backup props', () => {
    const props = toServiceProps(new Stack(new App(), 'S'), parseConfig({}, {}));
    expect(props.backup).toBeUndefined();
  });

  it('an empty backup object turns it on with the defaults; enabled false turns it off again', () => {
    expect(toServiceProps(new Stack(new App(), 'S'), parseConfig({ backup: {} }, {})).backup).toEqual({});
    expect(
      toServiceProps(new Stack(new App(), 'S'), parseConfig({ backup: { enabled: false, retentionDays: 7 } }, {})).backup,
    ).toBeUndefined();
  });

  it('maps every setting to typed props (durations and schedules)', () => {
    const config = parseConfig(
      {
        account: '111122223333',
        backup: {
          schedule: 'cron(0 2 * * ? *)',
          retentionDays: '14',
          copyToRegion: 'eu-central-1',
          copyToAccount: '444455556666',
          copyVaultName: 'vss-dr',
          copyRetentionDays: 30,
          vaultLock: { minRetentionDays: 7, maxRetentionDays: 400, changeableForDays: 3 },
          restoreDrill: { schedule: 'cron(0 6 ? * MON *)', validationWindowHours: 2 },
        },
      },
      {},
    );
    const b = toServiceProps(new Stack(new App(), 'S'), config).backup!;
    expect(b.schedule?.expressionString).toBe('cron(0 2 * * ? *)');
    expect(b.retention?.toDays()).toBe(14);
    expect([b.copyToRegion, b.copyToAccount, b.copyVaultName, b.copyRetention?.toDays()]).toEqual([
      'eu-central-1',
      '444455556666',
      'vss-dr',
      30,
    ]);
    expect([b.vaultLock?.minRetention.toDays(), b.vaultLock?.maxRetention?.toDays(), b.vaultLock?.changeableFor?.toDays()]).toEqual([
      7, 400, 3,
    ]);
    expect([b.restoreDrill?.schedule?.expressionString, b.restoreDrill?.validationWindow?.toHours()]).toEqual(['cron(0 6 ? * MON *)', 2]);
  });

  it('rejects bad values, each under its name', () => {
    const message = problems({
      backup: {
        schedule: 'rate(1 day)',
        retentionDays: 0,
        copyToRegion: 'Frankfurt',
        copyVaultName: 'a b',
        vaultLock: { minRetentionDays: 7, changeableForDays: 1 },
        restoreDrill: { validationWindowHours: 200, every: 'week' },
      },
    });
    for (const m of [
      /vss.backup.schedule must be a cron expression of six fields/,
      /vss.backup.retentionDays must be an integer from 1 to 36500/,
      /vss.backup.copyToRegion must be an AWS region/,
      /vss.backup.copyVaultName must be 2-50 characters/,
      /vss.backup.vaultLock.changeableForDays must be an integer from 3/,
      /vss.backup.restoreDrill.validationWindowHours must be an integer from 1 to 168/,
      /vss.backup.restoreDrill.every is not a known setting/,
    ])
      expect(message).toMatch(m);
  });

  it('refuses combinations that would fail at deploy or fail every backup job', () => {
    expect(problems({ backup: { copyToAccount: '444455556666' } })).toMatch(/vss.backup.copyToAccount requires vss.backup.copyToRegion/);
    expect(problems({ backup: { copyRetentionDays: 9 } })).toMatch(/vss.backup.copyRetentionDays requires vss.backup.copyToRegion/);
    expect(problems({ region: 'eu-west-1', backup: { copyToRegion: 'eu-west-1' } })).toMatch(/is the stack's own region/);
    expect(problems({ backup: { retentionDays: 5, vaultLock: { minRetentionDays: 7 } } })).toMatch(
      /vss.backup.retentionDays \(5\) is below vss.backup.vaultLock.minRetentionDays \(7\): every backup job would fail/,
    );
    expect(problems({ backup: { copyToRegion: 'eu-central-1', copyRetentionDays: 3, vaultLock: { minRetentionDays: 7 } } })).toMatch(
      /copyRetentionDays \(3\) is below/,
    );
    expect(problems({ backup: { vaultLock: { minRetentionDays: 7, maxRetentionDays: 30 } } })).toMatch(
      /vss.backup.retentionDays \(35\) exceeds vss.backup.vaultLock.maxRetentionDays \(30\)/,
    );
    expect(problems({ backup: { copyToRegion: 'eu-central-1', copyToAccount: '444455556666' } })).toMatch(
      /vss.backup.copyToAccount needs vss.account/,
    );
    expect(
      problems({ account: '111122223333', region: 'eu-west-1', backup: { copyToRegion: 'eu-central-1', copyToAccount: '444455556666' } }),
    ).toBe('');
  });

  it('the construct checks its props with the same rules, under the props names', () => {
    const make = (backup: ConstructorParameters<typeof VssService>[2]['backup']) => () =>
      new VssService(new Stack(new App(), 'S'), 'Vss', { auth: VssAuth.signature(), backup });
    expect(make({ retention: Duration.days(3), vaultLock: { minRetention: Duration.days(7) } })).toThrow(
      /backup.retention \(3\) is below backup.vaultLock.minRetention \(7\)/,
    );
    expect(make({ schedule: events.Schedule.rate(Duration.days(1)) })).toThrow(/backup.schedule must be a cron expression/);
    expect(make({ copyToAccount: '444455556666' })).toThrow(/backup.copyToAccount requires backup.copyToRegion/);
  });
});
