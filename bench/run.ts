/** `npm run bench [-- name …]`: runs the named benchmarks (all by default), each printing its ratios. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BENCHES = ['extracts', 'ingest', 'settlement-query'];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--') || /^\d+$/.test(a));
let failed = false;
for (const name of chosen.length ? chosen.filter((c) => !/^\d+$/.test(c)) : BENCHES) {
  console.log(`\n=== bench: ${name} ===`);
  const run = spawnSync(process.execPath, [join(__dirname, `${name}.bench.js`), ...flags], { stdio: 'inherit' });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
