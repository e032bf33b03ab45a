/**
 * Options shared by subcommands: auth per side, output mode. Secrets can come from environment
 * variables (so they stay out of shell history and process listings); no secret is ever printed.
 */
import { Option, type Command } from 'commander';
import { parseHeader, parseSigningKey, type AuthOptions } from '../client/auth.js';
import { usageError } from './errors.js';
import { cliIo } from './io.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * Adds `--[prefix-]header` (repeatable) and `--[prefix-]signing-key`. Their environment
 * variables are VSS_[PREFIX_]HEADER (one header per line) and VSS_[PREFIX_]SIGNING_KEY.
 */
export function addAuthOptions(cmd: Command, prefix: '' | 'from' | 'to' = ''): Command {
  const p = prefix ? `${prefix}-` : '';
  const side = prefix === 'from' ? ' of the source' : prefix === 'to' ? ' of the target' : '';
  return cmd
    .addOption(
      new Option(
        `--${p}header <header>`,
        `'Name: value' sent with every request${side} (repeatable), e.g. 'Authorization: Bearer <jwt>' (env ${envName(prefix, 'HEADER')}, one per line)`,
      ).argParser(collect),
    )
    .addOption(
      new Option(
        `--${p}signing-key <hex>`,
        `32-byte secp256k1 secret key in hex: signature auth${side}, a fresh header per request (env ${envName(prefix, 'SIGNING_KEY')})`,
      ),
    );
}

function envName(prefix: string, what: string): string {
  return `VSS_${prefix ? `${prefix.toUpperCase()}_` : ''}${what}`;
}

function camel(prefix: string, name: string): string {
  const full = prefix ? `${prefix}-${name}` : name;
  return full.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Reads the auth options of one side from parsed options, then the environment. */
export function authFrom(
  opts: Record<string, unknown>,
  prefix: '' | 'from' | 'to' = '',
  env: NodeJS.ProcessEnv = cliIo().env,
): AuthOptions {
  const flag = (name: string): string => `--${prefix ? `${prefix}-` : ''}${name}`;
  const headerTexts = [...((opts[camel(prefix, 'header')] as string[] | undefined) ?? [])];
  const envHeaders = env[envName(prefix, 'HEADER')];
  if (headerTexts.length === 0 && envHeaders) headerTexts.push(...envHeaders.split(/\r?\n/).filter((l) => l.trim() !== ''));
  const headers: Record<string, string> = {};
  for (const text of headerTexts) {
    try {
      const [name, value] = parseHeader(text);
      headers[name] = value;
    } catch (e) {
      // The value may be a secret: name the option, never echo it.
      throw usageError(`${flag('header')}: ${(e as Error).message}`);
    }
  }
  const keyText = (opts[camel(prefix, 'signingKey')] as string | undefined) ?? env[envName(prefix, 'SIGNING_KEY')];
  let signingKey: Uint8Array | undefined;
  if (keyText !== undefined) {
    try {
      signingKey = parseSigningKey(keyText);
    } catch (e) {
      throw usageError(`${flag('signing-key')}: ${(e as Error).message}`);
    }
  }
  return { headers, ...(signingKey ? { signingKey } : {}) };
}

export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print the final report as one JSON object instead of the summary line')
    .option('--quiet', 'no progress output');
}

export function positiveInt(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw usageError(`${name} must be a positive integer, not "${v}"`);
    return n;
  };
}

export function requireUrl(name: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return value;
  } catch {
    throw usageError(`${name} must be an http(s) URL (the server's base URL, ending in /vss)`);
  }
}
