#!/usr/bin/env node
/**
 * `npm test`: every tier. Unit and e2e (embedded) always run; the integration tier runs against
 * real PostgreSQL, MariaDB and Redis. Without those servers it says loudly that it did not run, and
 * under CI=true that is a failure. Extra arguments go to jest (e.g. a path filter).
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const extra = process.argv.slice(2);
const outDir = mkdtempSync(join(tmpdir(), 'jest-results-'));
const totals = { passed: 0, failed: 0 };
let failed = false;

function jest(name, args) {
  const outputFile = join(outDir, `${name}.json`);
  const run = spawnSync('npx', ['jest', ...args, '--json', `--outputFile=${outputFile}`, ...extra], {
    stdio: 'inherit',
    env: { ...process.env, TZ: 'UTC' },
  });
  try {
    const result = JSON.parse(readFileSync(outputFile, 'utf8'));
    totals.passed += result.numPassedTests;
    totals.failed += result.numFailedTests + result.numRuntimeErrorTestSuites;
  } catch {
    totals.failed += 1;
  }
  if (run.status !== 0) failed = true;
}

function servicesReachable() {
  const probe = spawnSync(
    'node',
    [
      '-e',
      "require('ts-node').register({transpileOnly:true});require('./test/support/services').unreachableServices().then(d=>{if(d.length){console.error(d.join('\\n'));process.exit(1)}})",
    ],
    { encoding: 'utf8' },
  );
  return { ok: probe.status === 0, why: (probe.stderr || '').trim() };
}

jest('unit-e2e', ['--selectProjects', 'unit', 'e2e']);

const services = servicesReachable();
if (services.ok) {
  // --forceExit: a leaked socket must not hold CI until its time limit; leaks are hunted with --detectOpenHandles.
  jest('integration', ['--selectProjects', 'integration', '--runInBand', '--forceExit']);
} else {
  const banner = '='.repeat(72);
  console.error(`\n${banner}\nINTEGRATION TIER DID NOT RUN: its servers are unreachable.\n${services.why}\n${banner}\n`);
  if (process.env.CI === 'true') {
    console.error('CI=true: a missing integration tier is a failure.');
    totals.failed += 1;
    failed = true;
  }
}

console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(failed ? 1 : 0);
