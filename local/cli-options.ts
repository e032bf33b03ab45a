/**
 * The options of `npm start`, as data: each is one entry with its flag, environment variable,
 * default and help, from which the parser configuration, the help text and the values are made.
 * Adding a flag is adding an entry. Errors name the cause and the fix: an unknown option gets the
 * closest known one, and values that npm took for itself (a missing `--`) are explained.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  /** The flag without dashes, e.g. `data-dir`. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** One-letter alias. */
  readonly short?: string;
  /** Placeholder of the value in the help, e.g. `DIR`. */
  readonly metavar?: string;
  /** Environment variable read when the flag is absent. */
  readonly env?: string;
  /** Default as shown in the help (the value itself is decided where it is used). */
  readonly defaultText?: string;
  /** Help text; further lines are printed indented below. */
  readonly help: string | readonly string[];
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** Thrown for a command line the user must fix; the message says how. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function helpText(usage: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const flag = `${s.short ? `-${s.short}, ` : ''}--${s.name}${s.metavar ? ` ${s.metavar}` : ''}`;
    const [first, ...rest] = typeof s.help === 'string' ? [s.help] : s.help;
    const notes = [s.env ? s.env : undefined, s.defaultText ? `default ${s.defaultText}` : undefined].filter(Boolean).join(', ');
    return { flag, lines: [`${first}${notes ? ` (${notes})` : ''}`, ...rest] };
  });
  const width = Math.max(...rows.map((r) => r.flag.length)) + 2;
  const body = rows.flatMap((r) => r.lines.map((line, i) => `  ${(i === 0 ? r.flag : '').padEnd(width)}${line}`));
  return `${usage}\n\n${body.join('\n')}\n`;
}

/**
 * Parses argv; flags win over the environment. Returns the value of every option (undefined when
 * neither is given).
 */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], env: NodeJS.ProcessEnv): OptionValues {
  const config = Object.fromEntries(specs.map((s) => [s.name, { type: s.type, ...(s.short ? { short: s.short } : {}) }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (e) {
    throw explainParseError(e as NodeJS.ErrnoException, argv, specs, env);
  }
  const out: Record<string, string | boolean | undefined> = {};
  for (const s of specs) {
    const fromEnv = s.env ? env[s.env] || undefined : undefined;
    out[s.name] = values[s.name] ?? (s.type === 'boolean' && fromEnv !== undefined ? /^(1|true|yes)$/i.test(fromEnv) : fromEnv);
  }
  return out;
}

function explainParseError(e: NodeJS.ErrnoException, argv: readonly string[], specs: readonly OptionSpec[], env: NodeJS.ProcessEnv): Error {
  const hint = 'Run with --help to see all options.';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(e.message)?.[1] ?? '';
    const closest = closestOption(given.replace(/^-+/, '').split('=')[0]!, specs);
    return new UsageError(`unknown option ${given}${closest ? `: did you mean --${closest}?` : '.'} ${hint}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const given = argv.filter((a) => !a.startsWith('-'));
    if (env['npm_lifecycle_event']) {
      // npm keeps options it does not know as its own config (npm_config_<name>=true) and passes on only their values.
      const taken = specs.filter((s) => env[`npm_config_${s.name.replace(/-/g, '_')}`] !== undefined).map((s) => `--${s.name}`);
      const which = taken.length
        ? `npm took ${taken.join(', ')} as its own option${taken.length > 1 ? 's' : ''} and passed on only `
        : 'npm passed on ';
      return new UsageError(
        `unexpected argument ${given.join(' ')}: ${which}the value${given.length > 1 ? 's' : ''}. Put -- before the server's options: npm start -- ${taken[0] ?? '--port'} ${given[0] ?? '9000'}`,
      );
    }
    return new UsageError(`unexpected argument ${given.join(' ')}: options take the form --name value. ${hint}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError(`${e.message}. ${hint}`);
  return e;
}

/** The known option nearest to `given` (edit distance), if any is close enough to be a typo. */
export function closestOption(given: string, specs: readonly OptionSpec[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const s of specs) {
    const d = editDistance(given.toLowerCase(), s.name);
    if (!best || d < best.d) best = { name: s.name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(given.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
