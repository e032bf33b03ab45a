/**
 * Finds which tests assert which controls: every `expectControl(<template>, '<id>')` call in the
 * test files, and the `it(...)`/`test(...)` whose body holds it. Read from the source (a small
 * tokenizer that skips comments, strings, template literals and regular expressions), so the
 * matrix names tests without running them. The test name is its first argument as written; a
 * template literal keeps its `${…}` text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Token {
  readonly kind: 'ident' | 'string' | 'punct';
  /** Identifier or punctuation text; a string literal's content. */
  readonly value: string;
}

/** `file › test name` of each test asserting each control id. */
export function assertingTests(root: string, dirs: readonly string[] = ['test']): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of dirs.flatMap((d) => testFiles(path.join(root, d))).sort()) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    for (const { control, test } of controlAssertions(readFileSync(file, 'utf8'))) {
      const list = found.get(control) ?? [];
      const entry = `${rel} › ${test}`;
      if (!list.includes(entry)) list.push(entry);
      found.set(control, list);
    }
  }
  return found;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The control ids asserted in one source file, each with the name of its enclosing test. */
export function controlAssertions(source: string): Array<{ control: string; test: string }> {
  const tokens = tokenize(source);
  const out: Array<{ control: string; test: string }> = [];
  // One entry per open parenthesis: the test it opened, if it was `it(`/`test(` with a literal name.
  const parens: Array<string | undefined> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && t.value === '(') {
      const callee = tokens[i - 1];
      const name = tokens[i + 1];
      const isTest = callee?.kind === 'ident' && (callee.value === 'it' || callee.value === 'test') && tokens[i - 2]?.value !== '.';
      parens.push(isTest && name?.kind === 'string' ? name.value : undefined);
      if (callee?.kind === 'ident' && callee.value === 'expectControl') {
        const id = controlIdArgument(tokens, i);
        const test = [...parens].reverse().find((p) => p !== undefined);
        if (id !== undefined && test !== undefined) out.push({ control: id, test });
      }
    } else if (t.kind === 'punct' && t.value === ')') parens.pop();
  }
  return out;
}

/** The string literal after the first top-level comma of the call opened at `open`. */
function controlIdArgument(tokens: readonly Token[], open: number): string | undefined {
  let depth = 0;
  for (let j = open + 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind !== 'punct') continue;
    if ('([{'.includes(t.value)) depth++;
    else if (')]}'.includes(t.value)) {
      if (depth === 0) return undefined;
      depth--;
    } else if (t.value === ',' && depth === 0) {
      const next = tokens[j + 1];
      return next?.kind === 'string' ? next.value : undefined;
    }
  }
  return undefined;
}

const REGEX_MAY_FOLLOW = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const prevAllowsRegex = (): boolean => {
    const p = tokens[tokens.length - 1];
    return (
      !p || (p.kind === 'punct' && REGEX_MAY_FOLLOW.has(p.value)) || (p.kind === 'ident' && /^(return|typeof|case|in|of)$/.test(p.value))
    );
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
      if (i < 0) break;
    } else if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i + 2);
      if (i < 0) break;
      i += 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          text += src[j + 1] ?? '';
          j += 2;
        } else text += src[j++];
      }
      tokens.push({ kind: 'string', value: text });
      i = j + 1;
    } else if (c === '`') {
      const end = templateEnd(src, i);
      tokens.push({ kind: 'string', value: src.slice(i + 1, end - 1) });
      i = end;
    } else if (c === '/' && prevAllowsRegex()) {
      i = regexEnd(src, i);
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z0-9_$]+/.exec(src.slice(i, i + 200))!;
      tokens.push({ kind: 'ident', value: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9A-Za-z_.]+/.exec(src.slice(i, i + 100))!;
      tokens.push({ kind: 'ident', value: m[0] });
      i += m[0].length;
    } else {
      tokens.push({ kind: 'punct', value: c });
      i++;
    }
  }
  return tokens;
}

/** Index just past the template literal starting at `start` (a backquote), `${…}` nesting included. */
function templateEnd(src: string, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') i += 2;
    else if (c === '`') return i + 1;
    else if (c === '$' && src[i + 1] === '{') {
      let depth = 1;
      i += 2;
      while (i < src.length && depth > 0) {
        const d = src[i]!;
        if (d === '`') i = templateEnd(src, i);
        else if (d === "'" || d === '"') {
          i++;
          while (i < src.length && src[i] !== d) i += src[i] === '\\' ? 2 : 1;
          i++;
        } else {
          if (d === '{') depth++;
          else if (d === '}') depth--;
          i++;
        }
      }
    } else i++;
  }
  return i;
}

/** Index just past the regular expression literal starting at `start`, its flags included. */
function regexEnd(src: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  while (i < src.length && src[i] !== '\n') {
    const c = src[i]!;
    if (c === '\\') i += 2;
    else if (c === '[') (inClass = true), i++;
    else if (c === ']') (inClass = false), i++;
    else if (c === '/' && !inClass) {
      i++;
      while (i < src.length && /[a-z]/.test(src[i]!)) i++;
      return i;
    } else i++;
  }
  return i;
}
