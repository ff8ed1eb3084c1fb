/**
 * A small progress reporter for long runs, on stderr: redraws one line on a terminal and is silent
 * otherwise (CI, logs), unless CHORDS_PROGRESS=lines asks for a line every `every` seconds.
 */

export interface ProgressOptions {
  total: number;
  label: string;
  /** Where to write; default process.stderr. */
  stream?: NodeJS.WriteStream;
  quiet?: boolean;
  /** Seconds between lines when not on a terminal. Default 30. */
  every?: number;
}

export interface Progress {
  tick(done: number, info?: string): void;
  done(info?: string): void;
}

export function progress({
  total,
  label,
  stream = process.stderr,
  quiet = false,
  every = 30,
}: ProgressOptions): Progress {
  const t0 = performance.now();
  let last = -Infinity;
  const line = (done: number, info = '') => {
    const s = (performance.now() - t0) / 1000,
      rate = done / Math.max(s, 1e-9),
      eta = rate > 0 ? (total - done) / rate : 0;
    const pct = ((100 * done) / total).toFixed(1).padStart(5);
    const bar = '#'.repeat(Math.round((20 * done) / total)).padEnd(20, '.');
    return `${label} [${bar}] ${pct}% ${done}/${total} ${s.toFixed(0)}s eta ${eta.toFixed(0)}s ${info}`;
  };
  const mode = process.env.CHORDS_PROGRESS === 'lines' ? 'lines' : stream.isTTY ? 'bar' : 'off';
  if (mode === 'off') quiet = true;
  return {
    tick(done, info) {
      if (quiet) return;
      const now = performance.now();
      if (mode === 'bar') {
        if (now - last > 100) {
          stream.write(`\r${line(done, info)}\x1b[K`);
          last = now;
        }
      } else if (now - last > every * 1000) {
        stream.write(`${line(done, info)}\n`);
        last = now;
      }
    },
    done(info) {
      if (!quiet) stream.write(`${mode === 'bar' ? '\r' : ''}${line(total, info)}${mode === 'bar' ? '\x1b[K' : ''}\n`);
    },
  };
}
