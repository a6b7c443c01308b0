#!/usr/bin/env node
/**
 * The registry this project installs from serves only the platform packages of this machine
 * (linux-x64), so `npm install` leaves the other platforms' optional binaries (@swc/core-darwin-*,
 * @msgpackr-extract/*-win32-*, …) out of package-lock.json, and `npm ci` then refuses the lock as
 * out of sync. This adds each missing optional platform package as a lock entry with the os/cpu
 * read from its name, so npm ci skips it on other platforms. Run after `npm install`.
 */
const { readFileSync, writeFileSync } = require('node:fs');

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openbsd', 'sunos', 'aix', 'openharmony', 'netbsd', 'wasm32'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

const lockPath = 'package-lock.json';
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const nested = `${path}/node_modules/${name}`;
    if (lock.packages[key] || lock.packages[nested]) continue;
    const os = OS.find((o) => name.includes(`-${o}`));
    const cpu = CPU.find((c) => new RegExp(`-${c}(-|$)`).test(name));
    if (!os || !cpu) continue;
    lock.packages[key] = { version: version.replace(/^[\^~]/, ''), optional: true, os: [os], cpu: [cpu] };
    if (/-musl$/.test(name)) lock.packages[key].libc = ['musl'];
    else if (/-gnu(eabihf)?$/.test(name)) lock.packages[key].libc = ['glibc'];
    added += 1;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} optional platform package(s) added`);
