import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

/** The worker's node flags as deployed (docker/worker.Dockerfile, `npm run start:worker`). */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=32', '--max-old-space-size=160'];

/** What every figure is quoted with (§Performance): the Node version and the machine's load. */
export function machine(): string {
  return `Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/** Median of a list of numbers (the figure quoted; best runs are not). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

/** Runs psql against `url` (a command string), failing loudly. */
export function psql(url: string, command: string): string {
  const run = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qtAc', command], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** Times a psql command in its own process, as an anchor (includes psql's start, ~20 ms). */
export function timedPsql(url: string, command: string): number {
  const started = process.hrtime.bigint();
  psql(url, command);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Runs this same script in a child process with `args`; the child prints one JSON line last. */
export function child<T>(script: string, args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: string[] = []): T {
  const run = spawnSync(process.execPath, [...nodeFlags, script, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`child ${args.join(' ')} failed:\n${run.stderr}\n${run.stdout.slice(-2000)}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

export function table(rows: Array<Record<string, string | number>>): string {
  const headers = Object.keys(rows[0]);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(headers.map((h) => String(r[h]))))].join('\n');
}
