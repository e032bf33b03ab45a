/** Progress output: a bar with items, bytes, rate and ETA on a TTY; periodic lines otherwise. */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { startProgress } from '../../cli/progress.js';

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: w, text: () => text };
}

describe('progress', () => {
  it('without a TTY prints periodic lines with items, total, bytes, rate and ETA', async () => {
    const out = capture(false);
    const p = startProgress({ label: 'copy', total: 10, stream: out.stream, intervalSeconds: 0.02 });
    p.add(4, 4_000_000);
    await new Promise((r) => setTimeout(r, 60));
    p.stop();
    expect(out.text()).toMatch(/^copy: 4\/10 items \(40%\), 4\.0 MB, \d+ items\/s, ETA \S+$/m);
  });

  it('on a TTY draws a bar with the same figures', () => {
    const out = capture(true);
    const p = startProgress({ label: 'export', total: 3, stream: out.stream });
    p.add(3, 1500);
    p.stop();
    expect(out.text()).toMatch(/export .*100% \| 3\/3 items \| 1\.5 KB \| \d+ items\/s \| ETA \S+/);
  });

  it('--quiet prints nothing', () => {
    const out = capture(false);
    const p = startProgress({ label: 'x', stream: out.stream, quiet: true, intervalSeconds: 0.001 });
    p.add(1, 1);
    p.stop();
    expect(out.text()).toBe('');
  });
});
