import { AppConfigService, loadConfig } from '@app/core';
import { ADMIN_SESSION_COOKIE, ADMIN_SESSION_TTL_SECONDS, AdminSessions, readCookie } from './admin-session';

const sessionsWith = (secret: string) => new AdminSessions(new AppConfigService(loadConfig({ SECRET_KEY: secret })));
const SECRET = 'a-secret-key-of-at-least-thirty-two-bytes';
const header = (value: string) => `theme=dark; ${ADMIN_SESSION_COOKIE}=${value}; other=1`;

describe('AdminSessions', () => {
  const sessions = sessionsWith(SECRET);
  const now = Date.UTC(2026, 10, 2, 10, 0, 0);

  it('names the user of a session it issued, until it expires', () => {
    const { value, expiresAt } = sessions.issue('user-1', now);
    expect(expiresAt.getTime()).toBe(now + ADMIN_SESSION_TTL_SECONDS * 1000);
    expect(sessions.subjectOf(header(value), now)).toBe('user-1');
    expect(sessions.subjectOf(header(value), expiresAt.getTime() - 1000)).toBe('user-1');
    expect(sessions.subjectOf(header(value), expiresAt.getTime())).toBeUndefined();
  });

  it('refuses a session signed with another SECRET_KEY, edited, truncated or absent', () => {
    const { value } = sessions.issue('user-1', now);
    const [version, payload, signature] = value.split('.');
    const other = Buffer.from(JSON.stringify({ sub: 'admin-2', exp: now / 1000 + 600 })).toString('base64url');
    for (const forged of [
      sessionsWith('another-secret-key-of-at-least-32-bytes').issue('user-1', now).value,
      `${version}.${other}.${signature}`,
      `${version}.${payload}`,
      `v2.${payload}.${signature}`,
      `${value}.extra`,
      '',
    ]) {
      expect(sessions.subjectOf(header(forged), now)).toBeUndefined();
    }
    expect(sessions.subjectOf(undefined, now)).toBeUndefined();
    expect(sessions.subjectOf('theme=dark', now)).toBeUndefined();
  });

  it('sets an HttpOnly, SameSite=Strict cookie for the dashboard path only, Secure over HTTPS', () => {
    expect(sessions.setCookie('abc', false)).toBe(`${ADMIN_SESSION_COOKIE}=abc; Max-Age=900; Path=/admin/queues; HttpOnly; SameSite=Strict`);
    expect(sessions.setCookie('abc', true)).toMatch(/; Secure$/);
    expect(sessions.clearCookie(false)).toBe(`${ADMIN_SESSION_COOKIE}=; Max-Age=0; Path=/admin/queues; HttpOnly; SameSite=Strict`);
  });
});

describe('readCookie', () => {
  it('reads one cookie of a Cookie header, spaces or not', () => {
    expect(readCookie('a=1;b=2; c = 3', 'b')).toBe('2');
    expect(readCookie('a=1;b=2; c = 3', 'c')).toBe('3');
    expect(readCookie('ab=1', 'a')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });
});
