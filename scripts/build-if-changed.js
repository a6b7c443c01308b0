#!/usr/bin/env node
/**
 * `npm start`'s build step: runs `npm run build` only when what it compiles changed since the last
 * build that this script ran. Even with nothing to emit, tsc has to load the whole program (and
 * tsc-alias rewrites every output) before it can say so, seconds on every restart; reading and
 * hashing the sources takes a few tens of milliseconds.
 *
 * The inputs are the files tsconfig.build.json compiles (apps/*\/src, libs/*\/src, specs left out),
 * the tsconfigs, package.json (it holds the build command) and the lockfile (a dependency upgrade can
 * change what compiles), hashed by path and content, so an edit, a new or deleted file, a branch
 * switch or a revert all count, whatever their timestamps.
 *
 * The stamp in dist/ also holds a hash of tsc's build info files, which every tsc run that writes
 * into dist/ rewrites: a build made another way (`npm run build`, `npm run build:bench`, a bare tsc)
 * leaves dist/ matching other sources than the stamp says, and the next start builds again instead
 * of trusting it. `rm -rf dist` forces a build too.
 */
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const STAMP = join('dist', '.build-inputs.json');
/** What `npm start`, the worker and the cli run: a build is incomplete without any of them. */
const ENTRY_POINTS = ['api', 'worker', 'cli'].map((app) => join('dist', 'apps', app, 'src', 'main.js'));
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
/** Every tsconfig whose build writes into dist/ (the bench build emits apps and libs there too). */
const DIST_BUILDS = ['tsconfig.build.json', 'tsconfig.bench.json'];
const SKIPPED = /\.(spec|e2e-spec)\.ts$/;

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && !SKIPPED.test(entry.name) ? [path] : [];
  });
}

function hashFiles(root, files) {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    const content = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    hash.update(relative(root, file)).update('\0').update(content).update('\0');
  }
  return hash.digest('hex');
}

function inputsHash(root) {
  const srcDirs = ['apps', 'libs'].flatMap((top) =>
    existsSync(join(root, top))
      ? readdirSync(join(root, top), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(root, top, entry.name, 'src'))
      : [],
  );
  return hashFiles(root, [...srcDirs.flatMap(sourceFiles), ...CONFIG_FILES.map((name) => join(root, name))]);
}

/** tsc's build info files of every build writing into dist/: what the last tsc run there compiled. */
function outputsHash(root) {
  const infoFiles = DIST_BUILDS.filter((name) => existsSync(join(root, name))).map((name) => {
    const file = JSON.parse(readFileSync(join(root, name), 'utf8')).compilerOptions?.tsBuildInfoFile;
    if (!file) throw new Error(`${name}: compilerOptions.tsBuildInfoFile must be set for ${__filename} to see its builds`);
    return join(root, file);
  });
  return hashFiles(root, infoFiles);
}

/** Whether dist/ is the build of the sources as they are now, and the inputs hash to stamp if not. */
function check(root) {
  const inputs = inputsHash(root);
  const stampFile = join(root, STAMP);
  if (!ENTRY_POINTS.every((entry) => existsSync(join(root, entry))) || !existsSync(stampFile)) return { upToDate: false, inputs };
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return { upToDate: false, inputs };
  }
  return { upToDate: stamp.inputs === inputs && stamp.outputs === outputsHash(root), inputs };
}

function writeStamp(root, inputs) {
  writeFileSync(join(root, STAMP), `${JSON.stringify({ inputs, outputs: outputsHash(root) })}\n`);
}

function main() {
  const root = join(__dirname, '..');
  const { upToDate, inputs } = check(root);
  if (upToDate) {
    process.stderr.write('Build is up to date (sources unchanged since the last build): skipped. `npm run build` forces one.\n');
    return 0;
  }
  // Through the npm that runs this script when there is one, so the same npm runs the build.
  const npm = process.env.npm_execpath;
  const run = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (run.status !== 0) return run.status ?? 1;
  // The inputs hashed before the build: a file edited while it ran makes the next start build again.
  writeStamp(root, inputs);
  return 0;
}

module.exports = { check, writeStamp, STAMP, ENTRY_POINTS, DIST_BUILDS };

if (require.main === module) process.exit(main());
