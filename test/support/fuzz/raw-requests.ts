import type { Random } from './random';

/**
 * Requests that are not well-formed HTTP, or that Node's client will not write: each a builder of the
 * bytes for one route (its path and a token), sent on a connection of its own. Node's parser refuses
 * most of them before the app sees anything; what matters is that every one is answered, in shape.
 */
const RAW: Record<string, (path: string, auth: string) => string | Buffer> = {
  nulInHeader: (path, auth) => Buffer.concat([Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}X-Note: a`), Buffer.from([0]), Buffer.from('b\r\n\r\n')]),
  controlInHeader: (path, auth) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}X-Note: a\u0001b\r\n\r\n`,
  utf8InHeader: (path, auth) => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}X-Note: ключ 💳\r\n\r\n`, 'utf8'),
  garbageLine: () => 'GARBAGE\r\n\r\n',
  unknownMethod: (path) => `FROB ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
  lowerMethod: (path) => `get ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
  noHost: (path, auth) => `GET ${path} HTTP/1.1\r\n${auth}\r\n`,
  http10NoHost: (path, auth) => `GET ${path} HTTP/1.0\r\n${auth}\r\n`,
  http2Version: (path) => `GET ${path} HTTP/2.0\r\nHost: x\r\n\r\n`,
  futureVersion: (path) => `GET ${path} HTTP/9.9\r\nHost: x\r\n\r\n`,
  absoluteForm: (path, auth) => `GET http://evil.example${path} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
  asteriskForm: () => 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
  twoHosts: (path, auth) => `GET ${path} HTTP/1.1\r\nHost: a\r\nHost: b\r\n${auth}\r\n`,
  lengthAndChunked: (path, auth) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
  badChunkSize: (path, auth) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
  chunkExtensions: (path, auth) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2;name=value\r\n{}\r\n0\r\n\r\n`,
  negativeLength: (path, auth) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
  textLength: (path, auth) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`,
  twoLengths: (path, auth) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x`,
  shortLength: (path, auth) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 1\r\n\r\n{"username":"x"}`,
  obsFold: (path, auth) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}X-Folded: a\r\n  b\r\n\r\n`,
  noColon: (path, auth) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}NoColonHere\r\n\r\n`,
  spaceBeforeColon: (path, auth) => `GET ${path} HTTP/1.1\r\nHost : x\r\n${auth}\r\n`,
  bareLf: (path, auth) => `GET ${path} HTTP/1.1\nHost: x\n${auth.replace(/\r\n/g, '\n')}\n`,
  longTarget: (path, auth) => `GET ${path}?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
  manyHeaders: (path, auth) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}${Array.from({ length: 300 }, (_, i) => `X-H${i}: ${i}\r\n`).join('')}\r\n`,
  hugeHeader: (path, auth) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}X-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
  targetWithSpace: (path, auth) => `GET ${path} x HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
  targetWithFragment: (path, auth) => `GET ${path}#frag HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
  rawUtf8Target: (path, auth) => Buffer.from(`GET ${path}/é💳 HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, 'utf8'),
  expectContinue: (path, auth) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}`,
  expectOther: (path, auth) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Expect: 200-ok\r\nContent-Length: 0\r\n\r\n`,
  upgradeH2c: (path, auth) =>
    `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`,
  upgradeWebsocket: (path, auth) =>
    `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
  http2Preface: () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  tlsHello: () => Buffer.from('16030100a5010000a10303', 'hex'),
};

export function rawRequest(rng: Random, path: string, token: string | undefined): { kind: string; bytes: Buffer } {
  const kind = rng.pick(Object.keys(RAW));
  const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
  const built = RAW[kind](path, auth);
  return { kind, bytes: Buffer.isBuffer(built) ? built : Buffer.from(built, 'latin1') };
}
