import { createHmac } from 'node:crypto';
import type { Random } from './random';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An HS256 JWT of `claims` signed with `key`, with any header (alg none included). */
export function signJwt(claims: unknown, key: string, header: unknown = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

/**
 * The kinds of oddAuthorization a route may accept, since they still carry the caller's own valid
 * token or one only the key's holder can sign: the scheme in lower case (RFC 9110: schemes are
 * case-insensitive), a second Authorization header (Node keeps the first), and a far-future expiry
 * signed with the real key. Every other kind must be refused wherever a token is needed.
 */
export const ACCEPTABLE_AUTHORIZATION: ReadonlySet<string> = new Set(['lowerScheme', 'twoTokens', 'expiryOfWrongType']);

/**
 * Authorization header values a client should never get anywhere with: no scheme, another scheme,
 * alg none, another key, expired, a role changed after signing, claims of the wrong type, a subject
 * that is no user (signed with the real key: the token of a deleted user, or a claim shape this API
 * never issues), two tokens, a token past any sane length. Each but ACCEPTABLE_AUTHORIZATION answers
 * 401, whoever sends it.
 */
export function oddAuthorization(rng: Random, secretKey: string, validToken: string | undefined, refusedOnly = false): { kind: string; values: string[] } {
  const now = Math.floor(Date.now() / 1000);
  const sub = rng.uuid();
  const [head, payload] = (validToken ?? signJwt({ sub, role: 'user', iat: now, exp: now + 600 }, secretKey)).split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const real = (c: unknown) => signJwt(c, secretKey);
  const choices: Record<string, () => string[]> = {
    empty: () => [''],
    schemeOnly: () => ['Bearer'],
    schemeSpace: () => ['Bearer    '],
    garbage: () => [`Bearer ${rng.pick(['x', 'a.b.c', '...', 'e30.e30.', 'null', '%00', '💳'])}`],
    basic: () => ['Basic YWRtaW46YWRtaW4='],
    lowerScheme: () => [`bearer ${validToken ?? 'x'}`],
    noScheme: () => [validToken ?? 'x'],
    trailing: () => [`Bearer ${validToken ?? 'x'} extra`],
    twoTokens: () => [`Bearer ${validToken ?? 'x'}`, `Bearer ${real({ ...claims, role: 'admin' })}`],
    algNone: () => [`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, role: 'admin' })}.`],
    algNoneUpper: () => [`Bearer ${b64({ alg: 'NONE' })}.${b64({ ...claims, role: 'admin' })}.`],
    rs256Header: () => [`Bearer ${signJwt({ ...claims }, secretKey, { alg: 'RS256', typ: 'JWT' })}`],
    wrongKey: () => [`Bearer ${signJwt({ ...claims, role: 'admin' }, 'not-the-secret-key-but-long-enough!!')}`],
    expired: () => [`Bearer ${real({ ...claims, iat: now - 7200, exp: now - 3600 })}`],
    // Another role than the one signed (an admin's token claiming less is tampered with just the same).
    tamperedRole: () => [`Bearer ${head}.${b64({ ...claims, role: claims.role === 'admin' ? 'operator' : 'admin' })}.${validToken?.split('.')[2] ?? 'x'}`],
    unknownSubject: () => [`Bearer ${real({ sub, role: 'admin', iat: now, exp: now + 600 })}`],
    oddSubject: () => [
      `Bearer ${real({ sub: rng.pick(['not-a-uuid', "' OR 1=1 --", '', 'a'.repeat(300), 'admin']), role: 'admin', iat: now, exp: now + 600 })}`,
    ],
    subjectOfWrongType: () => [`Bearer ${real({ sub: rng.pick<unknown>([123, null, ['a'], { id: 1 }, true]), role: 'admin', iat: now, exp: now + 600 })}`],
    noExpiry: () => [`Bearer ${real({ sub: claims.sub, role: 'admin', iat: now })}`],
    expiryOfWrongType: () => [
      `Bearer ${real({ sub: claims.sub, role: 'admin', iat: now, exp: rng.pick<unknown>(['9999999999', Infinity, null, -1, 1e300]) })}`,
    ],
    notBeforeFuture: () => [`Bearer ${real({ ...claims, nbf: now + 3600 })}`],
    huge: () => [`Bearer ${'a'.repeat(6_000)}.${'b'.repeat(1_000)}.c`],
    nul: () => [`Bearer ${validToken ?? 'x'}\u0000`],
    nonLatin1: () => ['Bearer ключ'],
  };
  const kind = rng.pick(Object.keys(choices).filter((k) => !refusedOnly || !ACCEPTABLE_AUTHORIZATION.has(k)));
  return { kind, values: choices[kind]() };
}
