import { Logger } from '@nestjs/common';
import { AppConfigService, ConflictError, ValidationError, loadConfig } from '@app/core';
import { AdminBootstrap, RESET_ADMIN_PASSWORD_COMMAND } from './admin-bootstrap.service';
import type { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { UsersService } from './users.service';

/** UsersService over an in-memory table of users, with the real password rules and hasher. */
function setup(env: Record<string, string> = {}, existing?: Partial<User>) {
  const rows = new Map<string, User>();
  if (existing) rows.set(existing.username!.toLowerCase(), existing as User);
  const hasher = new PasswordHasher();
  const users = new UsersService({} as never, hasher, {} as never, {} as never);
  jest.spyOn(users, 'findByUsername').mockImplementation(async (name) => rows.get(name.toLowerCase()) ?? null);
  jest.spyOn(users, 'insert').mockImplementation(async (fields) => {
    const user = { ...fields, hashedPassword: await hasher.hash(fields.password!), disabled: false } as unknown as User;
    rows.set(fields.username.toLowerCase(), user);
    return user;
  });
  jest.spyOn(users, 'update').mockImplementation(async (user, dto) => {
    Object.assign(user, { ...dto, ...(dto.password ? { hashedPassword: await hasher.hash(dto.password) } : {}) });
    return user;
  });
  const config = new AppConfigService(loadConfig({ DATA_DIR: '/tmp/admin-bootstrap-spec', ...env }));
  const logs: string[] = [];
  jest.spyOn(Logger.prototype, 'log').mockImplementation((message) => void logs.push(String(message)));
  jest.spyOn(Logger.prototype, 'warn').mockImplementation((message) => void logs.push(String(message)));
  const printed: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((text) => (printed.push(String(text)), true));
  const admin = (name = 'admin') => rows.get(name);
  return { bootstrap: new AdminBootstrap(users, config), users, logs, printed, admin };
}

afterEach(() => jest.restoreAllMocks());

describe('AdminBootstrap at boot', () => {
  it('embedded first start: creates the admin, prints its generated password once and how to reset it', async () => {
    const { bootstrap, printed, logs, admin, users } = setup();
    await bootstrap.onApplicationBootstrap();
    const password = /with password: (\S+)/.exec(printed.join(''))![1];
    await expect(users.passwordMatches(admin()!, password)).resolves.toBe(true);
    expect(printed.join('')).toContain(RESET_ADMIN_PASSWORD_COMMAND);
    expect(logs.join('\n')).not.toContain(password);
  });

  it('a restart names the admin and the reset command, and prints no password', async () => {
    const { bootstrap, printed, logs, admin } = setup();
    await bootstrap.onApplicationBootstrap();
    const password = /with password: (\S+)/.exec(printed.join(''))![1];
    printed.length = 0;
    logs.length = 0;
    await bootstrap.onApplicationBootstrap();
    expect(printed).toEqual([]);
    expect(logs).toEqual([`Admin "admin" exists; its password is not shown again. Lost it? \`${RESET_ADMIN_PASSWORD_COMMAND}\` sets a new one`]);
    expect(logs.join('')).not.toContain(password);
    expect(admin()!.role).toBe('admin');
  });

  it('with ADMIN_PASSWORD a restart says the password comes from it, without showing it', async () => {
    const { bootstrap, printed, logs } = setup({ ADMIN_PASSWORD: 'chosen-password' });
    await bootstrap.onApplicationBootstrap();
    await bootstrap.onApplicationBootstrap();
    expect(printed).toEqual([]);
    expect(logs.at(-1)).toBe('Admin "admin": password from ADMIN_PASSWORD (set again at every start)');
    expect(logs.join('')).not.toContain('chosen-password');
  });
});

describe('AdminBootstrap.resetPassword (admin:reset-password)', () => {
  it('generates a new password for the existing admin, which then logs in and the old one not', async () => {
    const { bootstrap, users, printed, admin } = setup();
    await bootstrap.onApplicationBootstrap();
    const old = /with password: (\S+)/.exec(printed.join(''))![1];
    const result = await bootstrap.resetPassword();
    expect(result).toMatchObject({ username: 'admin', generated: true, created: false });
    expect(result.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await expect(users.passwordMatches(admin()!, result.password)).resolves.toBe(true);
    await expect(users.passwordMatches(admin()!, old)).resolves.toBe(false);
  });

  it('sets a chosen password, and makes a disabled or demoted admin an enabled admin again', async () => {
    const hashedPassword = await new PasswordHasher().hash('old-password');
    const { bootstrap, users, admin } = setup({}, { username: 'admin', role: 'user', disabled: true, hashedPassword });
    await expect(bootstrap.resetPassword('a-new-password')).resolves.toMatchObject({ generated: false, created: false });
    expect(admin()).toMatchObject({ role: 'admin', disabled: false });
    await expect(users.passwordMatches(admin()!, 'a-new-password')).resolves.toBe(true);
  });

  it('creates the admin from ADMIN_* when there is none (services mode without ADMIN_PASSWORD)', async () => {
    const { bootstrap, admin } = setup({ ADMIN_USERNAME: 'root', ADMIN_EMAIL: 'root@example.com' });
    await expect(bootstrap.resetPassword('a-new-password')).resolves.toMatchObject({ username: 'root', created: true });
    expect(admin('root')).toMatchObject({ username: 'root', email: 'root@example.com', role: 'admin' });
  });

  it('refuses a password of fewer than 8 characters or more than 72 bytes', async () => {
    const { bootstrap } = setup();
    await expect(bootstrap.resetPassword('short')).rejects.toThrow(ValidationError);
    await expect(bootstrap.resetPassword('é'.repeat(37))).rejects.toThrow(ValidationError);
  });

  it('refuses while ADMIN_PASSWORD is set, since every start would put that one back', async () => {
    const { bootstrap } = setup({ ADMIN_PASSWORD: 'chosen-password' });
    await expect(bootstrap.resetPassword()).rejects.toThrow(ConflictError);
    await expect(bootstrap.resetPassword()).rejects.toThrow(/ADMIN_PASSWORD/);
  });
});
