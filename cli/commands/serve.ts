/**
 * `vss serve`: the VSS server as a production program, with the options of `npm start` (which
 * runs it). The options are the server's own (local/cli.ts): everything after `serve` is passed
 * on unparsed, `vss serve --help` included.
 */
import type { Command } from 'commander';
import { UsageError } from '../../local/cli-options.js';
import { serve, usageOf } from '../../local/cli.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { cliIo } from '../io.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the VSS server (the options of npm start; vss serve --help lists them)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .argument('[options...]')
    .action(async (options: string[]) => {
      // The command's streams and environment: the process's own, or a test's (cli/io.ts).
      const { stdout, stderr, env } = cliIo();
      try {
        await serve(options, { stdout, stderr, env, usage: usageOf(env) });
      } catch (e) {
        // The server explains why it cannot start (its data directory, its engine, a missing
        // optional dependency) in words that say what to do: one line, as `npm start` prints it.
        if (e instanceof UsageError || !(e instanceof Error)) throw e;
        throw new CliError(e.message, EXIT.failure);
      }
    });
}
