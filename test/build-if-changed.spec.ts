import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..');
// A plain CommonJS script that `npm start` runs before TypeScript exists; it has no types to import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const script = require('../scripts/build-if-changed.js') as {
  check(root: string): { upToDate: boolean; inputs: string };
  writeStamp(root: string, inputs: string): void;
  ENTRY_POINTS: string[];
  DIST_BUILDS: string[];
};
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** A scratch tree shaped like the repository, as a finished build leaves it. */
function builtTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'build-if-changed-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  for (const name of ['tsconfig.json', 'tsconfig.build.json', 'tsconfig.bench.json', 'package.json', 'package-lock.json']) {
    cpSync(join(root, name), join(dir, name));
  }
  write('apps/api/src/main.ts', 'export const a = 1;\n');
  write('libs/core/src/index.ts', 'export const b = 2;\n');
  write('libs/core/src/index.spec.ts', 'it("x", () => undefined);\n');
  for (const entry of script.ENTRY_POINTS) write(entry, '');
  write('dist/.tsbuildinfo', '{"version":"A"}');
  script.writeStamp(dir, script.check(dir).inputs);
  return dir;
}

describe('scripts/build-if-changed.js (npm start skips an unneeded build)', () => {
  let dir: string;
  beforeEach(() => (dir = builtTree()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const edit = (path: string, text: string) => writeFileSync(join(dir, path), text);

  it('skips the build when nothing changed since the stamped one', () => {
    expect(script.check(dir).upToDate).toBe(true);
  });

  it('builds after an edit, and skips again once the edit is reverted', () => {
    edit('libs/core/src/index.ts', 'export const b = 3;\n');
    expect(script.check(dir).upToDate).toBe(false);
    edit('libs/core/src/index.ts', 'export const b = 2;\n');
    expect(script.check(dir).upToDate).toBe(true);
  });

  const append = (path: string) => edit(path, `${readFileSync(join(dir, path), 'utf8')}\n`);
  it.each<[string, () => void]>([
    ['a new source file', () => edit('apps/api/src/extra.ts', '')],
    ['a deleted source file', () => rmSync(join(dir, 'libs/core/src/index.ts'))],
    ['a changed tsconfig', () => append('tsconfig.json')],
    ['a changed package.json (it holds the build command)', () => append('package.json')],
    ['a changed lockfile', () => append('package-lock.json')],
    ['another build wrote into dist/ (npm run build, a bare tsc)', () => edit('dist/.tsbuildinfo', '{"version":"B"}')],
    ['the bench build wrote into dist/', () => edit('dist/.tsbuildinfo-bench', '{}')],
    ['an entry point is gone from dist/', () => rmSync(join(dir, script.ENTRY_POINTS[1]))],
    ['the stamp is gone', () => rmSync(join(dir, 'dist/.build-inputs.json'))],
  ])('builds after %s', (_what, change) => {
    change();
    expect(script.check(dir).upToDate).toBe(false);
  });

  it('ignores specs, which the build does not compile', () => {
    edit('libs/core/src/index.spec.ts', 'it("y", () => undefined);\n');
    expect(script.check(dir).upToDate).toBe(true);
  });

  it('hashes what tsconfig.build.json compiles, and npm start goes through it', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[]; exclude: string[] };
    expect(build.include).toEqual(['apps/*/src', 'libs/*/src']);
    expect(build.exclude).toEqual(expect.arrayContaining(['**/*.spec.ts', '**/*.e2e-spec.ts']));
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toMatch(/^node scripts\/build-if-changed\.js && node .*dist\/apps\/api\/src\/main\.js$/);
    expect(scripts.build).toBe('tsc -p tsconfig.build.json && tsc-alias -p tsconfig.build.json');
    // Every tsconfig emitting into dist/ is one whose build info the script watches.
    for (const name of script.DIST_BUILDS) {
      expect((JSON.parse(read(name)) as { compilerOptions: { tsBuildInfoFile: string } }).compilerOptions.tsBuildInfoFile).toMatch(/^\.\/dist\//);
    }
  });
});
