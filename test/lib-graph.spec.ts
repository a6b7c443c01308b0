import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * STYLE.md 10: the lib graph has no cycle, and code outside a lib reaches it through its index
 * (`@app/extracts`), never a file inside it (`@app/extracts/extracts.processor`). Tests of a lib
 * may reach its insides; the product (apps, libs) and the benchmarks may not.
 */
const ROOT = join(__dirname, '..');
const IMPORT = /(?:from|import)\s*\(?\s*'@app\/([a-z-]+)(\/[^']*)?'/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

function importsOf(file: string): Array<{ lib: string; deep: string | undefined }> {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => ({ lib: m[1], deep: m[2] }));
}

/** The lib a file belongs to (libs/<name>/…), or null for apps and benchmarks. */
function ownLib(file: string): string | null {
  const parts = relative(ROOT, file).split(sep);
  return parts[0] === 'libs' ? parts[1] : null;
}

const files = ['apps', 'libs', 'bench', 'scripts'].flatMap((dir) => sources(join(ROOT, dir)));

describe('the lib graph', () => {
  it("has no import past another lib's index", () => {
    const deep = files.flatMap((file) =>
      importsOf(file)
        .filter(({ lib, deep }) => deep !== undefined && lib !== ownLib(file))
        .map(({ lib, deep }) => `${relative(ROOT, file)} imports @app/${lib}${deep}`),
    );
    expect(deep).toEqual([]);
  });

  it('has no cycle between libs', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of files) {
      const from = ownLib(file);
      if (!from) continue;
      for (const { lib } of importsOf(file)) if (lib !== from && lib !== 'testing') (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(lib);
    }
    const cycles: string[] = [];
    const walk = (lib: string, path: string[]) => {
      if (path.includes(lib)) {
        cycles.push([...path.slice(path.indexOf(lib)), lib].join(' → '));
        return;
      }
      for (const next of edges.get(lib) ?? []) walk(next, [...path, lib]);
    };
    for (const lib of edges.keys()) walk(lib, []);
    expect(cycles).toEqual([]);
    // The walk saw the graph: auth stands on users, and both on access.
    expect([...(edges.get('auth') ?? [])]).toEqual(expect.arrayContaining(['users', 'access']));
  });
});
