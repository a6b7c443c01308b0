import { createReadStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANONICAL_PROFILE, generateSettlementFile, parseSettlementFile } from '@app/settlement-ingest';

/**
 * Parser throughput on a generated canonical file, single-threaded, no database: the parser's share
 * of the ingest budget (§Performance). A script, not a test: timings on a shared machine are noise
 * for a pass/fail decision.
 *
 *   npm run build:bench && node dist/bench/parser-throughput.js [rows=1000000] [file]
 */
async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const path = process.argv[3] ?? join(tmpdir(), `settlement-measure-${rows}.csv`);
  if (!existsSync(path)) {
    const started = process.hrtime.bigint();
    await generateSettlementFile(path, { rows, badRows: Math.floor(rows / 1000), fullPans: Math.floor(rows / 100), seed: 7 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`generated ${rows} rows (${(statSync(path).size / 1e6).toFixed(0)} MB) in ${seconds.toFixed(2)} s`);
  }
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  let records = 0;
  let rejects = 0;
  for await (const batch of parseSettlementFile(createReadStream(path, { highWaterMark: 1 << 20 }), CANONICAL_PROFILE)) {
    records += batch.records.length;
    rejects += batch.rejects.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const total = records + rejects;
  console.log(
    `parsed ${total} rows (${records} records, ${rejects} rejects) in ${seconds.toFixed(2)} s: ` +
      `${Math.round(total / seconds).toLocaleString('en')} rows/s, ${(statSync(path).size / 1e6 / seconds).toFixed(0)} MB/s; ` +
      // On a shared machine the wall clock counts other processes' time too; CPU time (all threads, GC included) does not.
      `CPU ${cpuSeconds.toFixed(2)} s: ${Math.round(total / cpuSeconds).toLocaleString('en')} rows per CPU-second; ` +
      `peak RSS ${(peak / 1048576).toFixed(0)} MiB (${(baseline / 1048576).toFixed(0)} MiB before parsing)`,
  );
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
