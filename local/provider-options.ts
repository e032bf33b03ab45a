/**
 * The local server's provider flags (docs/provider.md). Flags win over their environment
 * variables, as for every other option. Kept apart from cli.ts so the option list there only
 * gains three lines.
 */
import type { ProviderSettings } from '../lambda/provider/provider.js';

export const PROVIDER_OPTIONS = {
  'quota-max-keys': { type: 'string' },
  'quota-max-bytes': { type: 'string' },
  'rate-limit-per-user': { type: 'string' },
} as const;

export const PROVIDER_HELP = `  --quota-max-keys N       most keys a user may store, over all its stores (VSS_QUOTA_MAX_KEYS, default no limit)
  --quota-max-bytes N      most bytes (keys + values) a user may store    (VSS_QUOTA_MAX_BYTES, default no limit)
  --rate-limit-per-user R  sustained requests per second per user        (VSS_RATE_LIMIT_PER_USER, default no limit)
                           Any of these also keeps per-user usage for \`vss admin usage\`.
`;

export function providerSettingsFrom(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): ProviderSettings {
  const read = (flag: keyof typeof PROVIDER_OPTIONS, name: string, integer: boolean): number | undefined => {
    const v = values[flag];
    const raw = typeof v === 'string' ? v : env[name] || undefined;
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new Error(`invalid --${flag} ${raw}: use a non-negative ${integer ? 'integer' : 'number'}`);
    return n;
  };
  const maxKeys = read('quota-max-keys', 'VSS_QUOTA_MAX_KEYS', true);
  const maxBytes = read('quota-max-bytes', 'VSS_QUOTA_MAX_BYTES', true);
  const perSecond = read('rate-limit-per-user', 'VSS_RATE_LIMIT_PER_USER', false);
  const any = Boolean(maxKeys || maxBytes || perSecond);
  return {
    ...(any ? { usageMetering: true } : {}),
    ...(maxKeys || maxBytes ? { quota: { maxKeys: maxKeys ?? 0, maxBytes: maxBytes ?? 0 } } : {}),
    ...(perSecond ? { rateLimit: { perSecond } } : {}),
  };
}
