import type { AuthUser } from '@app/access';
import type { TokenVerifier } from '@app/auth';
import { AppConfigService, ForbiddenError, UnauthorizedError, loadConfig } from '@app/core';
import type { UsersService } from '@app/users';
import { AdminSessions } from './admin-session';
import { DashboardAccess } from './dashboard-access';

const people: Record<string, AuthUser> = {
  admin: { id: 'admin', username: 'admin', role: 'admin' },
  operator: { id: 'operator', username: 'op', role: 'operator' },
};

function setup() {
  const sessions = new AdminSessions(new AppConfigService(loadConfig({ SECRET_KEY: 'a-secret-key-of-at-least-thirty-two-bytes' })));
  const users = { findActiveIdentity: jest.fn(async (id: string) => people[id] ?? null) } as unknown as UsersService;
  const tokens = {
    authenticate: jest.fn(async (authorization: unknown) => {
      const who = people[String(authorization).replace('Bearer ', '')];
      if (!who) throw new UnauthorizedError('Missing or invalid token');
      return who;
    }),
  } as unknown as TokenVerifier;
  const access = new DashboardAccess(sessions, users, tokens);
  const cookieOf = (id: string) => `payments_admin_session=${sessions.issue(id).value}`;
  const request = (method: string, route: string, headers: Record<string, string>) =>
    access.check({ method, headers, protocol: 'https', host: 'payments.example.com', routeOptions: { url: `/admin/queues${route}` } } as never);
  return { request, cookieOf };
}

describe('DashboardAccess', () => {
  it('lets an admin in by session cookie or bearer token', async () => {
    const { request, cookieOf } = setup();
    await expect(request('GET', '/', { cookie: cookieOf('admin') })).resolves.toMatchObject({ role: 'admin' });
    await expect(request('GET', '/api/queues', { authorization: 'Bearer admin' })).resolves.toMatchObject({ role: 'admin' });
  });

  it('401 without a usable session (none, or its user gone), 403 for a role below admin', async () => {
    const { request, cookieOf } = setup();
    await expect(request('GET', '/', {})).rejects.toThrow(UnauthorizedError);
    await expect(request('GET', '/', { cookie: cookieOf('deleted-user') })).rejects.toThrow(UnauthorizedError);
    await expect(request('GET', '/', { cookie: cookieOf('operator') })).rejects.toThrow(ForbiddenError);
    await expect(request('GET', '/', { authorization: 'Bearer operator' })).rejects.toThrow(ForbiddenError);
  });

  it('allows only retrying and promoting among the writes', async () => {
    const { request, cookieOf } = setup();
    const cookie = cookieOf('admin');
    for (const route of ['/api/queues/:queueName/retry/:queueStatus', '/api/queues/:queueName/:jobId/retry', '/api/queues/:queueName/:jobId/promote']) {
      await expect(request('PUT', route, { cookie })).resolves.toBeDefined();
    }
    for (const [method, route] of [
      ['PUT', '/api/queues/:queueName/empty'],
      ['PUT', '/api/queues/:queueName/obliterate'],
      ['PUT', '/api/queues/:queueName/:jobId/clean'],
      ['PATCH', '/api/queues/:queueName/:jobId/update-data'],
      ['POST', '/api/queues/:queueName/add'],
      ['PUT', '/api/queues/pause'],
    ]) {
      await expect(request(method, route, { cookie })).rejects.toThrow(ForbiddenError);
    }
  });

  it('refuses a write carried by the cookie from another origin; a same-origin one passes', async () => {
    const { request, cookieOf } = setup();
    const cookie = cookieOf('admin');
    const route = '/api/queues/:queueName/:jobId/retry';
    await expect(request('PUT', route, { cookie, origin: 'https://evil.example' })).rejects.toThrow('takes no request from another site');
    await expect(request('PUT', route, { cookie, origin: 'https://payments.example.com' })).resolves.toBeDefined();
  });
});
