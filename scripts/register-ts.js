/**
 * `node -r ./scripts/register-ts.js some.ts`: runs the project's TypeScript as Jest does, compiled
 * file by file by SWC through ts-node (no type check: that is `npm run typecheck`), with the path
 * aliases of tsconfig.json (`@app/core`, `@app/testing`, …) resolved. For development scripts that
 * need the app's sources; what ships is built by tsc (`npm run build`).
 */
const Module = require('node:module');
const { join } = require('node:path');
const ts = require('typescript');

const ROOT = join(__dirname, '..');
const { config, error } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));

/** `@app/core` → `./libs/core/src`, `@app/core/*` → `./libs/core/src/*`. */
const aliases = Object.entries(config.compilerOptions.paths ?? {}).map(([pattern, [target]]) => ({
  prefix: pattern.replace(/\*$/, ''),
  wildcard: pattern.endsWith('*'),
  target: join(ROOT, target.replace(/\*$/, '')),
}));

function aliased(request) {
  for (const alias of aliases) {
    if (!alias.wildcard && request === alias.prefix) return alias.target;
    if (alias.wildcard && request.startsWith(alias.prefix)) return join(alias.target, request.slice(alias.prefix.length));
  }
  return request;
}

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request.startsWith('@app/') ? aliased(request) : request, ...rest);
};

// ts-node 10 maps targets up to ES2022 to SWC's (the tsconfig's ES2023 reads as none); Node 24 runs either.
require('ts-node').register({ project: join(ROOT, 'tsconfig.json'), swc: true, compilerOptions: { target: 'es2022' } });
