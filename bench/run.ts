/**
 * `npm run bench [-- name … [--flag value …]]`: runs the named benchmarks (all by default), each
 * printing its ratios. Names come first; everything from the first `--flag` on goes to each benchmark.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BENCHES = ['extracts', 'ingest', 'settlement-query', 'http-adapters', 'create-transaction', 'token-guard'];
const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith('--'));
const chosen = firstFlag === -1 ? args : args.slice(0, firstFlag);
const flags = firstFlag === -1 ? [] : args.slice(firstFlag);
let failed = false;
for (const name of chosen.length ? chosen : BENCHES) {
  console.log(`\n=== bench: ${name} ===`);
  const run = spawnSync(process.execPath, [join(__dirname, `${name}.bench.js`), ...flags], { stdio: 'inherit' });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
