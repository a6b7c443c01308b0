import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfigService } from '@app/core';

/** Where the dashboard lives; the session cookie is sent to nothing else. */
export const DASHBOARD_PATH = '/admin/queues';
export const ADMIN_SESSION_COOKIE = 'payments_admin_session';
/** Short, since a signed-out browser's copy of the cookie would stay valid until then. */
export const ADMIN_SESSION_TTL_SECONDS = 15 * 60;

const VERSION = 'v1';

/**
 * The admin's browser session for the queue dashboard: a browser cannot put a bearer token on a
 * page it opens, so an admin trades one (POST /admin/session) for this cookie. It is a signed
 * `{sub, exp}`, HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
 * Path=/admin/queues (nothing else receives it), Secure over HTTPS, 15 minutes long.
 *
 * Signed with its own key, derived from SECRET_KEY, so a session is never accepted as a bearer
 * token nor a token as a session; whoever it names is checked on every request (still there,
 * still enabled, still an admin), as for tokens.
 */
@Injectable()
export class AdminSessions {
  private readonly key: Buffer;

  constructor(config: AppConfigService) {
    this.key = createHmac('sha256', config.get('auth').secretKey).update('payments admin dashboard session').digest();
  }

  issue(userId: string, now = Date.now()): { value: string; expiresAt: Date } {
    const expiresAt = new Date(now + ADMIN_SESSION_TTL_SECONDS * 1000);
    const payload = Buffer.from(JSON.stringify({ sub: userId, exp: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
    return { value: `${VERSION}.${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** The user a Cookie header's session names; undefined for none, or one malformed, forged or expired. */
  subjectOf(cookieHeader: string | undefined, now = Date.now()): string | undefined {
    const value = readCookie(cookieHeader, ADMIN_SESSION_COOKIE);
    const [version, payload, signature, extra] = value?.split('.') ?? [];
    if (version !== VERSION || !payload || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const { sub, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown };
      return typeof sub === 'string' && typeof exp === 'number' && exp * 1000 > now ? sub : undefined;
    } catch {
      return undefined;
    }
  }

  /** The Set-Cookie value that starts a session (`secure` when the request came over HTTPS). */
  setCookie(value: string, secure: boolean): string {
    return cookie(value, ADMIN_SESSION_TTL_SECONDS, secure);
  }

  /** The Set-Cookie value that ends it in this browser. */
  clearCookie(secure: boolean): string {
    return cookie('', 0, secure);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(`${VERSION}.${payload}`).digest('base64url');
  }
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${ADMIN_SESSION_COOKIE}=${value}`,
    `Max-Age=${maxAgeSeconds}`,
    `Path=${DASHBOARD_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** One cookie's value from a Cookie header (RFC 6265 §5.4: `name=value` pairs separated by `;`). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const equals = pair.indexOf('=');
    if (equals !== -1 && pair.slice(0, equals).trim() === name) return pair.slice(equals + 1).trim();
  }
  return undefined;
}
