/**
 * Comments that say where to look stay true: every file a source comment cites exists, and every
 * docs/ section it cites (`docs/protocol.md §3.2`, `docs/provider.md, "Rate limits"`) is a
 * heading of that document. A path with directories is found from the citing file's directory or
 * any directory above it up to the repository root (so lambda/ code may cite a sibling directory's
 * file as `handlers/…`, and anything may cite `docs/…`); a bare file name anywhere in the
 * repository; a .js name also matches its .ts source.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/private/functions.js';

const SOURCE_DIRS = ['bin', 'lib', 'lambda', 'local', 'cli', 'client', 'scripts', 'bench', 'examples', 'test'];
const SOURCE_FILE = /\.(ts|mts|mjs|js|sh)$/;
const SKIP_DIRS = new Set(['node_modules', 'generated', 'dist', 'cdk.out', 'fixtures', '.git', '.data']);
/** Names with a file extension that are not files of this repository. */
const NOT_FILES: Record<string, string> = {
  'Node.js': 'the runtime',
  'long.js': 'the npm package `long`',
  'index.mjs': 'the name of every Lambda bundle (esbuild output)',
  'cdk.context.json': "the CDK's own file of context lookups, created on demand",
};

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SKIP_DIRS.has(name)) out.push(...filesUnder(path));
    } else out.push(path);
  }
  return out;
}

const sourceFiles = (dir: string): string[] => filesUnder(dir).filter((f) => SOURCE_FILE.test(f));

/** Counts the unescaped quotes of each kind before `end`: a comment marker inside a string is no comment. */
function insideString(line: string, end: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < end; i++) {
    const c = line[i]!;
    if (c === '\\') i++;
    else if (quote === undefined && (c === "'" || c === '"' || c === '`')) quote = c;
    else if (c === quote) quote = undefined;
  }
  return quote !== undefined;
}

/** The comment text of a file, one entry per line it spans (line numbers for the messages). */
function commentsOf(text: string, shell: boolean): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let inBlock = false;
  text.split('\n').forEach((line, n) => {
    if (shell) {
      const m = /(^|\s)#(?!!)\s?(.*)$/.exec(line);
      if (m && !insideString(line, m.index)) out.push({ line: n + 1, text: m[2]! });
      return;
    }
    let rest = line;
    for (;;) {
      if (inBlock) {
        const end = rest.indexOf('*/');
        out.push({ line: n + 1, text: end < 0 ? rest : rest.slice(0, end) });
        if (end < 0) return;
        inBlock = false;
        rest = rest.slice(end + 2);
        continue;
      }
      const marker = /(^|[\s;,{}()])(\/\/|\/\*)/g;
      let m: RegExpExecArray | null;
      do m = marker.exec(rest);
      while (m && insideString(rest, m.index + m[1]!.length));
      if (!m) return;
      const start = m.index + m[0].length;
      if (m[2] === '//') {
        out.push({ line: n + 1, text: rest.slice(start) });
        return;
      }
      inBlock = true;
      rest = rest.slice(start);
    }
  });
  return out;
}

/** File paths in a comment: a name with a known extension, with or without directories. */
const PATH = /(?<![\w@./-])((?:\.{1,2}\/)?(?:[\w.-]+\/)*[\w-]+(?:\.[\w-]+)*\.(?:ts|mts|mjs|js|md|json|sh|proto))(?![\w/])/g;
/** A docs citation and what follows it: § numbers or a quoted heading. */
const DOC_SECTIONS = /(docs\/[\w-]+\.md)((?:,?\s*§\d+(?:\.\d+)*)+)/g;
const DOC_HEADING = /(docs\/[\w-]+\.md),?\s+\(?"([^"]+)"/g;

let allNames: Set<string> | undefined;

function resolves(fromFile: string, cited: string): boolean {
  if (cited in NOT_FILES) return true;
  const candidates = cited.endsWith('.js') ? [cited, cited.replace(/\.js$/, '.ts')] : [cited];
  if (!cited.includes('/')) {
    allNames ??= new Set(
      [...SOURCE_DIRS, 'docs', 'proto', '.ci']
        .filter((d) => existsSync(join(PROJECT_ROOT, d)))
        .flatMap((d) => filesUnder(join(PROJECT_ROOT, d)))
        .concat(readdirSync(PROJECT_ROOT))
        .map((f) => f.split('/').pop()!),
    );
    return candidates.some((c) => allNames!.has(c));
  }
  for (let dir = dirname(fromFile); ; dir = dirname(dir)) {
    if (candidates.some((c) => existsSync(join(dir, c)))) return true;
    if (relative(PROJECT_ROOT, dir) === '' || dir === dirname(dir)) return false;
  }
}

function headingsOf(doc: string): string[] {
  return readFileSync(join(PROJECT_ROOT, doc), 'utf8')
    .split('\n')
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => l.replace(/^#+\s+/, '').trim());
}

interface Citation {
  readonly where: string;
  readonly cited: string;
}

function citations(): { paths: Citation[]; sections: Array<Citation & { doc: string; section: string }> } {
  const paths: Citation[] = [];
  const sections: Array<Citation & { doc: string; section: string }> = [];
  for (const file of SOURCE_DIRS.flatMap((d) => (existsSync(join(PROJECT_ROOT, d)) ? sourceFiles(join(PROJECT_ROOT, d)) : []))) {
    for (const c of commentsOf(readFileSync(file, 'utf8'), file.endsWith('.sh'))) {
      const where = `${relative(PROJECT_ROOT, file)}:${c.line}`;
      const text = c.text.replace(/\bhttps?:\/\/\S+/g, '');
      for (const m of text.matchAll(PATH)) {
        if (!resolves(file, m[1]!)) paths.push({ where, cited: m[1]! });
      }
      for (const m of text.matchAll(DOC_SECTIONS)) {
        for (const s of m[2]!.matchAll(/§(\d+(?:\.\d+)*)/g))
          sections.push({ where, cited: `${m[1]} §${s[1]}`, doc: m[1]!, section: `§${s[1]}` });
      }
      for (const m of text.matchAll(DOC_HEADING)) sections.push({ where, cited: `${m[1]}, "${m[2]}"`, doc: m[1]!, section: m[2]! });
    }
  }
  return { paths, sections };
}

describe('citations in source comments', () => {
  const found = citations();

  it('finds comments and citations where they are (the scanner itself)', () => {
    expect(commentsOf("const a = 'x // y'; // see docs/protocol.md §3.2\n/* a\n * b.ts */ code();", false)).toEqual([
      { line: 1, text: ' see docs/protocol.md §3.2' },
      { line: 2, text: ' a' },
      { line: 3, text: ' * b.ts ' },
    ]);
    expect([...' lambda/store/keys.ts and x.js, not https://a.b/c.md'.matchAll(PATH)].map((m) => m[1])).toEqual([
      'lambda/store/keys.ts',
      'x.js',
    ]);
  });

  it('every file path cited in a source comment exists', () => {
    expect(found.paths.map((c) => `${c.where}: ${c.cited}`)).toEqual([]);
  });

  it('every docs/ section cited in a source comment is a heading of that document', () => {
    const missing: string[] = [];
    const headings = new Map<string, string[]>();
    for (const c of found.sections) {
      if (!existsSync(join(PROJECT_ROOT, c.doc))) {
        missing.push(`${c.where}: ${c.doc} does not exist`);
        continue;
      }
      if (!headings.has(c.doc)) headings.set(c.doc, headingsOf(c.doc));
      const all = headings.get(c.doc)!;
      const ok = c.section.startsWith('§')
        ? all.some((h) => h === c.section || h.startsWith(`${c.section} `))
        : all.some((h) =>
            h
              .replace(/^§[\d.]+\s+/, '')
              .toLowerCase()
              .startsWith(c.section.toLowerCase()),
          );
      if (!ok) missing.push(`${c.where}: ${c.cited}`);
    }
    expect(found.sections.length).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });
});
