/**
 * `vss admin …`: provider administration straight on the DynamoDB table (docs/provider.md).
 * These commands use the operator's AWS credentials (or a local engine's endpoint); none of them
 * is reachable through the VSS API.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { appendFile, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { eraseUser, type EraseResult } from '../../admin/erase-user.js';
import { recountUser } from '../../admin/recount.js';
import { setQuota, type QuotaOverride } from '../../admin/set-quota.js';
import { allUsersReport, toCsv, toTable, top, userReport, type Ranking, type UserReport } from '../../admin/usage-report.js';
import { userHash } from '../../../lambda/core/user-hash.js';
import { ENROLLMENT_CACHE_SECONDS } from '../../../lambda/auth/enrollment-cache.js';
import { isCompressedCurvePoint } from '../../../lambda/auth/signature.js';
import { allowUser, denyUser } from '../../admin/enrollment.js';
import { TableClient } from '../../../lambda/store/table-client.js';
import { bulkClient, bulkTable } from '../../table/bulk-table.js';
import { objectPlacement } from '../../../lambda/store/object-tier.js';
import { s3Client } from '../../../lambda/store/s3-client-settings.js';
import { S3ObjectStore } from '../../../lambda/store/s3-object-store.js';
import { verifyTable } from '../../../lambda/store/table-verifier.js';
import { diffTables } from '../../admin/diff-tables.js';
import { diffJson, diffText, verifyJson, verifyText } from '../../admin/recovery-reports.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { endpointOf } from '../pg-common.js';
import { addObjectStoreOptions, objectStoreOf, type ObjectStoreFlags } from '../../table/object-store-options.js';
import { cliIo } from '../../io.js';

interface TableFlags extends ObjectStoreFlags {
  dynamodbEndpoint?: string;
  region?: string;
  table: string;
}

/** The table's client: a local engine on loopback, AWS otherwise (the same as the pg commands). */
const adminClient = (flags: TableFlags) => bulkClient(endpointOf({ ...flags, concurrency: 1 }), flags.region);

/**
 * Where erase-user appends its audit line without --audit-log: the user's state directory
 * ($XDG_STATE_HOME, else ~/.local/state), never the working directory, which may be a source
 * tree whose .gitignore hides *.log (docs/provider.md, "Erasing a user").
 */
export function defaultAuditLogPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env['XDG_STATE_HOME'];
  // The XDG spec ignores a relative path.
  const state = xdg?.startsWith('/') ? xdg : join(home, '.local', 'state');
  return join(state, 'vss', 'vss-audit.log');
}

/** What the commands write to; injectable for tests. */
export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
  now(): Date;
  /** Seconds since some fixed point, for the time a check took. */
  seconds?(): number;
}

const defaultIo: AdminIo = {
  out: (t) => void cliIo().stdout.write(t),
  err: (t) => void cliIo().stderr.write(t),
  now: () => new Date(),
  seconds: () => performance.now() / 1000,
};

/** The sweeper's bound (grace 1 h + one hourly run, lib/private/sweeper.ts): older unreferenced chunk sets are orphans. */
const ORPHAN_BOUND_MS = 2 * 60 * 60 * 1000;

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('use an integer from 1 to 64');
  return n;
};

function tableOptions(cmd: Command): Command {
  addObjectStoreOptions(cmd);
  return cmd
    .option(
      '--dynamodb-endpoint <url>',
      'DynamoDB endpoint (a local engine, e.g. the one `npm start` runs); default: AWS from the SDK chain',
    )
    .requiredOption('--table <name>', 'the VSS table name (the stack output TableName)')
    .option('--region <region>', 'AWS region (default: the AWS SDK chain, e.g. AWS_REGION)');
}

const nonNegativeInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('use a non-negative integer');
  return n;
};

/** A signature-mode user: a compressed secp256k1 public key, 66 hex characters, as the user token (lowercase). */
const publicKeys = (v: string, previous: string[] | undefined): string[] => {
  if (!/^[0-9a-fA-F]{66}$/.test(v) || !isCompressedCurvePoint(Buffer.from(v, 'hex')))
    throw new InvalidArgumentError(`${JSON.stringify(v)} is not a compressed secp256k1 public key (66 hex characters)`);
  return [...(previous ?? []), v.toLowerCase()];
};

const override = (v: string): QuotaOverride => (v === 'default' ? 'default' : nonNegativeInt(v));

const day = (v: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new InvalidArgumentError('use YYYY-MM-DD');
  return v;
};

export function registerAdminCommands(program: Command, io: AdminIo = defaultIo): Command {
  const admin = program
    .command('admin')
    .description('provider administration on the table: usage report, quotas, erasing a user, the signature allowlist');

  tableOptions(
    admin.command('erase-user').description('delete every item of one user in every store (large values included), and nothing else'),
  )
    .requiredOption('--user <token>', 'the user token (signature mode: the public key hex; JWT: the sub)')
    .option('--yes', 'really delete; without it, only list what would be deleted')
    .option('--scan', 'also find stores by scanning the whole table (for data written before usage metering was on)')
    .option(
      '--audit-log <path>',
      'append the audit line to this file (default: $XDG_STATE_HOME/vss/vss-audit.log, else ~/.local/state/vss/vss-audit.log)',
    )
    .action(async (flags: TableFlags & { user: string; yes?: boolean; scan?: boolean; auditLog?: string }) => {
      const client = adminClient(flags);
      try {
        const objects = objectStoreOf(flags);
        const result = await eraseUser({
          ...(objects ? { objects } : {}),
          client,
          tableName: flags.table,
          userToken: flags.user,
          apply: flags.yes === true,
          scan: flags.scan === true,
          onStore: (s) =>
            io.out(
              `${flags.yes ? 'deleted' : 'would delete'} store ${JSON.stringify(s.storeId)}: ${s.records} records, ${s.chunkItems} large-value chunk items, ${s.countedBytes} bytes counted\n`,
            ),
        });
        io.out(summaryOf(result));
        const audit = JSON.stringify({
          event: 'vss.admin.erase-user',
          at: io.now().toISOString(),
          table: flags.table,
          user: userHash(flags.user),
          applied: result.applied,
          stores: result.stores.length,
          records: result.stores.reduce((n, s) => n + s.records, 0),
          chunkItems: result.stores.reduce((n, s) => n + s.chunkItems, 0),
          objects: result.objects,
          providerItems: result.providerItems,
        });
        const auditLog = flags.auditLog ?? defaultAuditLogPath(cliIo().env);
        if (flags.auditLog === undefined) await mkdir(dirname(auditLog), { recursive: true, mode: 0o700 });
        await appendFile(auditLog, `${audit}\n`);
        io.err(`audit: ${audit}\n`);
        if (!result.applied) io.out('Nothing was deleted. Run again with --yes to delete.\n');
      } finally {
        client.destroy();
      }
    });

  tableOptions(admin.command('usage').description('top users by bytes, keys and requests; or one user per store with --user'))
    .option('--user <token>', 'one user: usage per store and requests per day')
    .option('--top <n>', 'how many users per ranking', nonNegativeInt, 20)
    .option('--from <day>', 'count requests from this day (YYYY-MM-DD, UTC)', day)
    .option('--to <day>', 'count requests up to this day (YYYY-MM-DD, UTC)', day)
    .option('--recount', 'with --user: recount the user from its data and correct the counters')
    .addOption(new Option('--json', 'JSON output').conflicts('csv'))
    .option('--csv', 'CSV output')
    .action(
      async (
        flags: TableFlags & { user?: string; top: number; from?: string; to?: string; recount?: boolean; json?: boolean; csv?: boolean },
      ) => {
        const client = adminClient(flags);
        const o = { client, tableName: flags.table, ...(flags.from ? { from: flags.from } : {}), ...(flags.to ? { to: flags.to } : {}) };
        try {
          if (flags.recount) {
            if (!flags.user) throw new InvalidArgumentError('--recount needs --user');
            const { before, after } = await recountUser(o, flags.user);
            for (const s of after) {
              const b = before.find((x) => x.storeId === s.storeId);
              io.err(
                `recounted store ${JSON.stringify(s.storeId)}: ${b?.keys ?? 0} → ${s.keys} keys, ${b?.bytes ?? 0} → ${s.bytes} bytes\n`,
              );
            }
          }
          if (flags.user) io.out(render(userRows(await userReport(o, flags.user)), flags));
          else {
            const reports = await allUsersReport(o);
            const rankings: Ranking[] = ['bytes', 'keys', 'requests'];
            if (flags.json)
              io.out(
                `${JSON.stringify(Object.fromEntries(rankings.map((r) => [r, top(reports, r, flags.top).map(totalsOf)])), null, 2)}\n`,
              );
            else if (flags.csv)
              io.out(
                toCsv(rankings.flatMap((r) => top(reports, r, flags.top).map((u, i) => ({ ranking: r, rank: i + 1, ...totalsOf(u) })))),
              );
            else for (const r of rankings) io.out(`Top users by ${r}\n${toTable(top(reports, r, flags.top).map(totalsOf))}\n`);
          }
        } finally {
          client.destroy();
        }
      },
    );

  tableOptions(
    admin.command('set-quota').description("set or clear one user's quota overrides (0 = no limit for this user, 'default' = the stack's)"),
  )
    .requiredOption('--user <token>', 'the user token')
    .option('--max-keys <n|default>', 'most keys over all stores', override)
    .option('--max-bytes <n|default>', 'most bytes (keys + values) over all stores', override)
    .action(async (flags: TableFlags & { user: string; maxKeys?: QuotaOverride; maxBytes?: QuotaOverride }) => {
      const client = adminClient(flags);
      try {
        await setQuota({ client, tableName: flags.table }, flags.user, flags.maxKeys, flags.maxBytes);
        io.out(
          `quota of user ${userHash(flags.user)}: max keys ${flags.maxKeys ?? 'unchanged'}, max bytes ${flags.maxBytes ?? 'unchanged'}\n`,
        );
      } finally {
        client.destroy();
      }
    });
  tableOptions(
    admin
      .command('allow-user')
      .description('register public keys for signature mode with enrollment "allowlist" (docs/auth.md, "Enrollment")'),
  )
    .requiredOption('--user <pubkey...>', 'public keys in hex (the user tokens of signature mode); repeat or list several', publicKeys)
    .action(async (flags: TableFlags & { user: string[] }) => {
      const client = adminClient(flags);
      try {
        const table = new TableClient({ client, tableName: flags.table });
        for (const user of flags.user) {
          await allowUser(table, user, io.now().getTime());
          io.out(`allowed ${user}\n`);
        }
      } finally {
        client.destroy();
      }
    });

  tableOptions(
    admin
      .command('deny-user')
      .description(`remove public keys from the allowlist: running instances refuse them within ${ENROLLMENT_CACHE_SECONDS} s`),
  )
    .requiredOption('--user <pubkey...>', 'public keys in hex; repeat or list several', publicKeys)
    .action(async (flags: TableFlags & { user: string[] }) => {
      const client = adminClient(flags);
      try {
        const table = new TableClient({ client, tableName: flags.table });
        for (const user of flags.user) {
          const was = await denyUser(table, user);
          io.out(
            was
              ? `denied ${user}: running instances refuse it within ${ENROLLMENT_CACHE_SECONDS} s\n`
              : `denied ${user}: it was not registered\n`,
          );
        }
      } finally {
        client.destroy();
      }
    });
  tableOptions(
    admin
      .command('verify-table')
      .description(
        "check a table's integrity on its own: values resolve (size and digest), creation positions and the listing index, global-version records, orphaned chunk sets (exit 6 with the problems)",
      ),
  )
    // --s3-endpoint/--s3-bucket come with tableOptions (every admin command has them).
    .option('--segments <n>', 'parallel Scan segments', positiveInt, 4)
    .option('--json', 'JSON output')
    .action(async (flags: TableFlags & { s3Endpoint?: string; s3Bucket?: string; segments: number; json?: boolean }) => {
      if (flags.s3Endpoint !== undefined && flags.s3Bucket === undefined) throw new CliError('--s3-endpoint needs --s3-bucket', EXIT.usage);
      const client = adminClient(flags);
      const s3 = flags.s3Bucket
        ? s3Client({ ...(flags.s3Endpoint ? { endpoint: flags.s3Endpoint } : {}), ...(flags.region ? { region: flags.region } : {}) })
        : undefined;
      const objects = s3 && flags.s3Bucket ? new S3ObjectStore({ client: s3, bucket: flags.s3Bucket }) : undefined;
      const clock = io.seconds ?? (() => performance.now() / 1000);
      try {
        const started = clock();
        const table = bulkTable(client, flags.table, objects ? { placement: objectPlacement(objects) } : {});
        const report = await verifyTable(table, {
          segments: flags.segments,
          orphanBoundMs: ORPHAN_BOUND_MS,
          placement: table.placement,
          ...(objects ? { objects } : {}),
        });
        const seconds = clock() - started;
        io.out(flags.json ? verifyJson(flags.table, report, seconds) : verifyText(flags.table, report, seconds));
        if (report.problems.length > 0)
          throw new CliError(`verify-table: ${report.problems.length} problems in table ${flags.table}`, EXIT.verifyMismatch);
        if (report.uncheckedObjects > 0)
          throw new CliError(
            `verify-table: ${report.uncheckedObjects} values live in the value bucket and were not checked; give --s3-bucket (and --s3-endpoint for a local store)`,
            EXIT.usage,
          );
      } finally {
        client.destroy();
        s3?.destroy();
      }
    });

  tableOptions(
    admin
      .command('diff-tables')
      .description(
        'the loss-window report: per user and store, the keys whose version or value differ between a restored table (--table) and a later one (--against), with the newest creation position on each side (exit 6 when any differ)',
      ),
  )
    .requiredOption('--against <name>', 'the later table: the damaged one if it is still readable, or a copy')
    .option('--segments <n>', 'parallel Scan segments per table', positiveInt, 4)
    .option('--json', 'JSON output')
    .action(async (flags: TableFlags & { against: string; segments: number; json?: boolean }) => {
      const client = adminClient(flags);
      const clock = io.seconds ?? (() => performance.now() / 1000);
      try {
        const started = clock();
        const report = await diffTables(bulkTable(client, flags.table), bulkTable(client, flags.against), { segments: flags.segments });
        const seconds = clock() - started;
        io.out(flags.json ? diffJson(flags.table, flags.against, report, seconds) : diffText(flags.table, flags.against, report, seconds));
        const keys = report.stores.reduce((n, st) => n + st.keys.length, 0);
        if (keys > 0)
          throw new CliError(`diff-tables: ${keys} keys differ between ${flags.table} and ${flags.against}`, EXIT.verifyMismatch);
      } finally {
        client.destroy();
      }
    });
  return admin;
}

function totalsOf(u: UserReport): Record<string, string | number> {
  return { user: u.user, keys: u.keys, bytes: u.bytes, requests: u.requests, stores: u.stores.length };
}

function userRows(u: UserReport): Record<string, string | number>[] {
  return [
    ...u.stores.map((s) => ({ user: u.user, kind: 'store', name: s.storeId, keys: s.keys, bytes: s.bytes, requests: '' })),
    ...u.requestsByDay.map((d) => ({ user: u.user, kind: 'day', name: d.day, keys: '', bytes: '', requests: d.requests })),
    { user: u.user, kind: 'total', name: '', keys: u.keys, bytes: u.bytes, requests: u.requests },
  ];
}

function render(rows: Record<string, string | number>[], flags: { json?: boolean; csv?: boolean }): string {
  if (flags.json) return `${JSON.stringify(rows, null, 2)}\n`;
  if (flags.csv) return toCsv(rows);
  return toTable(rows);
}

function summaryOf(r: EraseResult): string {
  const records = r.stores.reduce((n, s) => n + s.records, 0);
  const chunks = r.stores.reduce((n, s) => n + s.chunkItems, 0);
  return `${r.applied ? 'deleted' : 'would delete'}: ${r.stores.length} stores, ${records} records, ${chunks} large-value chunk items, ${r.objects} objects (${r.objectBytes} bytes) in the values bucket, ${r.providerItems} usage and registry items (${r.requests} DynamoDB requests, ${r.readUnits} read and ${r.writeUnits} write capacity units)\n`;
}
