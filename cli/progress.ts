/**
 * Progress of a long-running subcommand, on stderr: a bar with items, bytes, rate and ETA on a
 * TTY (cli-progress), periodic plain lines otherwise (logs, CI), nothing with --quiet.
 */
import cliProgress from 'cli-progress';
import { cliIo } from './io.js';

export interface Progress {
  /** Sets the total once it is known (the bar then shows a percentage and an ETA). */
  setTotal(items: number): void;
  add(items: number, bytes: number): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total?: number;
  /** @default the command's stderr (cli/io.ts) */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** @default stream.isTTY */
  readonly tty?: boolean;
  /** Seconds between plain progress lines without a TTY. @default 10 */
  readonly intervalSeconds?: number;
  readonly quiet?: boolean;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

export function startProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? (cliIo().stderr as NodeJS.WritableStream & { isTTY?: boolean });
  const started = Date.now();
  let items = 0;
  let bytes = 0;
  let total = options.total ?? 0;
  const rate = (): number => items / Math.max((Date.now() - started) / 1000, 0.001);
  const eta = (): string => (total > 0 ? formatEta((total - items) / rate()) : '?');
  if (options.quiet) return { setTotal: () => undefined, add: () => undefined, stop: () => undefined };

  if (options.tty ?? stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${options.label} {bar} {percentage}% | {value}/{total} items | {bytesText} | {rateText} items/s | ETA {etaText}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const payload = (): Record<string, string> => ({ bytesText: formatBytes(bytes), rateText: rate().toFixed(0), etaText: eta() });
    bar.start(total, 0, payload());
    return {
      setTotal(n) {
        total = n;
        bar.setTotal(n);
      },
      add(n, b) {
        items += n;
        bytes += b;
        bar.update(items, payload());
      },
      stop() {
        bar.update(items, payload());
        bar.stop();
      },
    };
  }

  const line = (): void => {
    const of = total > 0 ? `/${total} items (${Math.floor((items * 100) / total)}%)` : ' items';
    stream.write(`${options.label}: ${items}${of}, ${formatBytes(bytes)}, ${rate().toFixed(0)} items/s, ETA ${eta()}\n`);
  };
  const timer = setInterval(line, (options.intervalSeconds ?? 10) * 1000);
  timer.unref();
  return {
    setTotal(n) {
      total = n;
    },
    add(n, b) {
      items += n;
      bytes += b;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
