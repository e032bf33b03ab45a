/**
 * `vss`: moves wallets' data between VSS servers, archive files and the reference server's
 * PostgreSQL (docs/migration.md). Every subcommand is a module under commands/ exporting a
 * function that registers it onto the program; adding one is an import and a line below.
 */
import { Command, CommanderError } from 'commander';
import { ArchiveError } from './archive.js';
import { registerCopy } from './commands/copy.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerPgExport } from './commands/pg-export.js';
import { registerPgImport } from './commands/pg-import.js';
import { registerServe } from './commands/serve.js';
import { UsageError } from '../local/cli-options.js';
import { registerAdminCommands } from './commands/admin/index.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { cliIo, withCliIo, type CliIo } from './io.js';
import { VssRequestError } from '../client/vss-client.js';
import { isVssError } from '../lambda/core/errors.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerExport,
  registerImport,
  registerCopy,
  registerPgImport,
  registerPgExport,
  (p) => registerAdminCommands(p),
  registerServe,
];

export function buildProgram(): Command {
  const program = new Command('vss')
    .description('Serve VSS, and move VSS stores between servers, archive files and PostgreSQL (see docs/migration.md)')
    .showHelpAfterError()
    .enablePositionalOptions()
    .exitOverride()
    // Help and usage errors go where the rest of the output goes (cli/io.ts), read at write time.
    .configureOutput({ writeOut: (t) => void cliIo().stdout.write(t), writeErr: (t) => void cliIo().stderr.write(t) });
  for (const register of COMMANDS) register(program);
  return program;
}

/**
 * Runs the command line (`argv` as in process.argv: node, script, then the arguments); returns
 * the exit code (documented in docs/migration.md). `io` defaults to the process's own streams and
 * environment; tests pass their own to run the command in-process (cli/io.ts).
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return io ? withCliIo(io, () => run(argv)) : run(argv);
}

async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const stderr = cliIo().stderr;
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too; commander already printed what there was to print.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      // vss serve: a bad option; the message says how to fix it.
      stderr.write(`vss: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof ArchiveError) {
      stderr.write(`vss: ${e.message}; nothing was written. Export the store again.\n`);
      return EXIT.badArchive;
    }
    if (e instanceof VssRequestError) {
      const hint = e.isAuth
        ? ' Check the auth options (--header / --signing-key).'
        : e.status === 0 || e.status >= 500
          ? ' The server did not answer after retries; run again later (re-runs converge).'
          : '';
      stderr.write(`vss: ${e.message}${/[.?!)]$/.test(e.message) ? '' : '.'}${hint}\n`);
      return EXIT.remote;
    }
    if (isVssError(e)) {
      // The store's retry wrapper gives up with a 500 whose cause is the DynamoDB error.
      const cause = (e as { cause?: Error }).cause;
      stderr.write(`vss: DynamoDB request failed after retries: ${cause?.message ?? e.message}. Re-runs converge: run again.\n`);
      return EXIT.remote;
    }
    if ((e as { $metadata?: unknown })?.$metadata !== undefined) {
      const err = e as Error;
      stderr.write(
        `vss: DynamoDB refused a request: ${err.name}: ${err.message}. Check --table, --region, --dynamodb-endpoint and the credentials.\n`,
      );
      return EXIT.remote;
    }
    if (e instanceof CliError) {
      stderr.write(`vss: ${e.message}\n`);
      return e.exitCode;
    }
    if ((e as NodeJS.ErrnoException)?.syscall !== undefined) {
      // A file or socket the user named could not be used (ENOENT, EACCES, ENOSPC, ...).
      stderr.write(`vss: ${(e as Error).message}\n`);
      return EXIT.failure;
    }
    stderr.write(`vss: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.failure;
  }
}
