/**
 * `npm run openapi`: writes docs/openapi.json (the api's Swagger document, as /docs-json serves it)
 * and clients/typescript/schema.d.ts (the typed client's types, generated from it). The api is built
 * as the e2e tests build it: embedded mode in a temp data dir, never listening. The drift test
 * (apps/api/test/openapi-drift.e2e-spec.ts) fails until what this writes is committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTestApp } from '@app/testing';
import { ROOT, openApiArtifacts, readRepositoryFile } from '../test/support/openapi-artifacts';

async function main(): Promise<void> {
  const t = await createTestApp();
  try {
    for (const { file, text } of await openApiArtifacts(t)) {
      const unchanged = readRepositoryFile(file) === text;
      if (!unchanged) {
        const path = join(ROOT, file);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      }
      process.stdout.write(`${file}: ${unchanged ? 'up to date' : 'written'}\n`);
    }
  } finally {
    await t.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
