/**
 * The local server's provider flags (docs/provider.md), as entries of the option table in cli.ts:
 * flags win over their environment variables, as for every other option.
 */
import type { ProviderSettings } from '../lambda/provider/provider.js';
import { UsageError, type OptionSpec, type OptionValues } from './cli-options.js';

export const PROVIDER_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'quota-max-keys',
    type: 'string',
    metavar: 'N',
    env: 'VSS_QUOTA_MAX_KEYS',
    defaultText: 'no limit',
    help: 'most keys a user may store, over all its stores',
  },
  {
    name: 'quota-max-bytes',
    type: 'string',
    metavar: 'N',
    env: 'VSS_QUOTA_MAX_BYTES',
    defaultText: 'no limit',
    help: 'most bytes (keys + values) a user may store',
  },
  {
    name: 'rate-limit-per-user',
    type: 'string',
    metavar: 'R',
    env: 'VSS_RATE_LIMIT_PER_USER',
    defaultText: 'no limit',
    help: ['sustained requests per second per user (429 beyond)', 'any of these three also keeps per-user usage for `vss admin usage`'],
  },
];

export function providerSettingsFrom(values: OptionValues): ProviderSettings {
  const read = (flag: string, integer: boolean): number | undefined => {
    const raw = values[flag];
    if (typeof raw !== 'string') return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
      throw new UsageError(`invalid --${flag} ${raw}: use a non-negative ${integer ? 'integer' : 'number'}`);
    }
    return n;
  };
  const maxKeys = read('quota-max-keys', true);
  const maxBytes = read('quota-max-bytes', true);
  const perSecond = read('rate-limit-per-user', false);
  const any = Boolean(maxKeys || maxBytes || perSecond);
  return {
    ...(any ? { usageMetering: true } : {}),
    ...(maxKeys || maxBytes ? { quota: { maxKeys: maxKeys ?? 0, maxBytes: maxBytes ?? 0 } } : {}),
    ...(perSecond ? { rateLimit: { perSecond } } : {}),
  };
}
