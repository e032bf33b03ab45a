/**
 * `vss serve`: the VSS server as a production program, with the options of `npm start` (which
 * runs it). The options are the server's own (local/cli.ts): everything after `serve` is passed
 * on unparsed, `vss serve --help` included.
 */
import type { Command } from 'commander';
import { serve } from '../../local/cli.js';

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
      await serve(options);
    });
}
