/**
 * `vss serve`: the VSS server as a production program, with the options of `npm start` (which
 * runs it). The options are the server's own (local/cli.ts): everything after `serve` is passed
 * on unparsed, `vss serve --help` included.
 */
import type { Command } from 'commander';
import { serve, usageOf } from '../../local/cli.js';
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
      await serve(options, { stdout, stderr, env, usage: usageOf(env) });
    });
}
