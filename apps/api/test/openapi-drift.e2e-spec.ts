import { TestApp, createTestApp } from '@app/testing';
import { Artifact, ROOT, openApiArtifacts, readRepositoryFile } from '../../../test/support/openapi-artifacts';

/**
 * The committed OpenAPI document and the typed client generated from it are what frontends build
 * against: both must be what the running app serves. A route, DTO or decorator changed without
 * `npm run openapi` fails here, naming what moved.
 */

type JsonMap = Record<string, unknown>;

/** `changed GET /token`, `added POST /metrics`, `removed schema Foo`: the operations and schemas that differ. */
function documentChanges(committed: string, served: string): string[] {
  let before: JsonMap;
  try {
    before = JSON.parse(committed) as JsonMap;
  } catch {
    return ['the committed document is not JSON'];
  }
  const after = JSON.parse(served) as JsonMap;
  const entries = (doc: JsonMap) => {
    const map = new Map<string, string>();
    for (const [path, operations] of Object.entries((doc.paths ?? {}) as Record<string, JsonMap>)) {
      for (const [method, operation] of Object.entries(operations)) map.set(`${method.toUpperCase()} ${path}`, JSON.stringify(operation));
    }
    for (const [name, schema] of Object.entries(((doc.components as JsonMap | undefined)?.schemas ?? {}) as JsonMap)) {
      map.set(`schema ${name}`, JSON.stringify(schema));
    }
    const { paths: _paths, components: _components, ...rest } = doc;
    map.set(
      'the rest of the document (info, security schemes, …)',
      JSON.stringify(rest) + JSON.stringify({ ...(doc.components as JsonMap), schemas: undefined }),
    );
    return map;
  };
  const [old, now] = [entries(before), entries(after)];
  const changes: string[] = [];
  for (const [key, value] of now) {
    if (!old.has(key)) changes.push(`added ${key}`);
    else if (old.get(key) !== value) changes.push(`changed ${key}`);
  }
  for (const key of old.keys()) if (!now.has(key)) changes.push(`removed ${key}`);
  return changes;
}

/** The first line that differs, after the line before it, as `diff` would show it. */
function firstDifference(committed: string, generated: string): string {
  const [a, b] = [committed.split('\n'), generated.split('\n')];
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  const shown = (sign: string, text: string | undefined) => (text === undefined ? [] : [`  ${sign} ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`]);
  return [`first difference at line ${line + 1}:`, ...shown(' ', a[line - 1]), ...shown('-', a[line]), ...shown('+', b[line])].join('\n');
}

function drift(artifact: Artifact): string | undefined {
  const committed = readRepositoryFile(artifact.file);
  if (committed === artifact.text) return undefined;
  const what = artifact.file.endsWith('.json') ? "the app's /docs-json" : "what openapi-typescript generates from the app's /docs-json";
  const head = `${artifact.file} is out of date with ${what}: run \`npm run openapi\` and commit the result.`;
  if (committed === undefined) return `${head}\n(the file does not exist)`;
  const changes = artifact.file.endsWith('.json') ? documentChanges(committed, artifact.text) : [];
  const shown = changes.slice(0, 20).map((change) => `  ${change}`);
  if (changes.length > shown.length) shown.push(`  … and ${changes.length - shown.length} more`);
  return [head, ...(shown.length ? ['What differs:', ...shown] : []), firstDifference(committed, artifact.text)].join('\n');
}

describe('OpenAPI document and typed client (docs/openapi.json, clients/typescript)', () => {
  let t: TestApp;
  let artifacts: Artifact[];

  beforeAll(async () => {
    t = await createTestApp();
    artifacts = await openApiArtifacts(t);
  });
  afterAll(() => t.close());

  it('the committed files are what the running app serves and what openapi-typescript makes of it', () => {
    expect(artifacts.map((artifact) => artifact.file)).toEqual(['docs/openapi.json', 'clients/typescript/schema.d.ts']);
    const problems = artifacts.map(drift).filter((problem) => problem !== undefined);
    if (problems.length > 0) throw new Error(problems.join('\n\n'));
  });

  it('the document carries nothing of the machine or the moment it was built on', () => {
    const document = artifacts[0].text;
    expect(document).not.toContain(t.dataDir);
    expect(document).not.toContain(ROOT);
    expect(JSON.parse(document)).toMatchObject({ openapi: expect.any(String), info: { title: expect.any(String), version: expect.any(String) } });
  });
});
