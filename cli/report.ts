/**
 * The end of every subcommand: a one-line summary (`keys=… bytes=… seconds=…`) or, with --json,
 * the whole report as one JSON object. Both go to stdout unless stdout carries data (an archive
 * written to `-`), then to stderr. Reports never contain secrets: only counts, names and URLs
 * stripped of credentials.
 */
import { cliIo } from './io.js';

export type ReportValue = string | number | boolean | null | ReportValue[] | { [k: string]: ReportValue };
export type Report = Record<string, ReportValue>;

export interface ReportOptions {
  readonly json?: boolean;
  /** Write to stderr: stdout is taken by data. */
  readonly stdoutIsData?: boolean;
}

export function summaryLine(report: Report): string {
  return Object.entries(report)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

export function printReport(report: Report, options: ReportOptions): void {
  const out = options.stdoutIsData ? cliIo().stderr : cliIo().stdout;
  // Peak resident memory of the whole run (maxRSS is in KiB): the streaming promise, measured.
  report = { ...report, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  out.write(options.json ? `${JSON.stringify(report)}\n` : `${summaryLine(report)}\n`);
}

/** A URL for reports and archive headers: user name, password and query string removed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

export function elapsedSeconds(startedMs: number): number {
  return Math.round((Date.now() - startedMs) / 10) / 100;
}
