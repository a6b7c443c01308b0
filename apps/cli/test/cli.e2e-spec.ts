import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AppConfigService, AppLogger, loadConfig } from '@app/core';
import { UsersService } from '@app/users';
import { withApp } from '../src/app-commands';
import { Boot, EXIT, runCli } from '../src/commands';

/**
 * The commands against the real modules, embedded, on SQLite in a temp dir: the CLI's Nest context
 * must boot with every module the features now need (a provider added to one feature broke it once).
 */
// Embedded only: the integration tier runs the same modules on the servers through the api suites.
describe('npm run cli (embedded)', () => {
  let dataDir: string;
  let boot: Boot;
  let printed: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'payments-cli-'));
    const config = new AppConfigService(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, METRICS_PORT: '0', LOG_LEVEL: 'warn' }));
    const logger = new AppLogger({ level: 'warn', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
    boot = () => ({ config, logger });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  beforeEach(() => {
    printed = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((text) => ((printed += String(text)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());

  const cli = (...argv: string[]) => runCli(argv, boot);
  const passwordWorks = (password: string) =>
    new Promise<boolean>((resolve, reject) =>
      withApp(boot().config, async (app) => resolve((await app.get(UsersService).authenticate('admin', password)) !== null)).catch(reject),
    );

  it('db:migrate applies both data sources, through the same data source factory as the apps', async () => {
    await expect(cli('db:migrate')).resolves.toBe(EXIT.ok);
    await expect(cli('db:migrate')).resolves.toBe(EXIT.ok);
  });

  it('admin:reset-password prints a new password once, which logs in', async () => {
    await expect(cli('admin:reset-password')).resolves.toBe(EXIT.ok);
    // The context's boot may first create the admin (and print that password): the reset's line counts.
    const password = /^(?:reset|created) admin "admin" with password: (\S+)$/m.exec(printed)?.[1];
    expect(password).toBeDefined();
    await expect(passwordWorks(password!)).resolves.toBe(true);
  });

  it('admin:reset-password --password-file sets the chosen password without printing it', async () => {
    const file = join(dataDir, 'new-password.txt');
    writeFileSync(file, 'a-chosen-password\n');
    await expect(cli('admin:reset-password', '--password-file', file)).resolves.toBe(EXIT.ok);
    expect(printed).toContain(`\nreset admin "admin" with the password read from ${file}\n`.slice(1));
    expect(printed).not.toContain('a-chosen-password');
    await expect(passwordWorks('a-chosen-password')).resolves.toBe(true);
    writeFileSync(file, 'short\n');
    await expect(cli('admin:reset-password', '--password-file', file)).resolves.toBe(EXIT.data);
  });

  it('user:create, then settlement:generate and settlement:ingest load a file', async () => {
    await expect(cli('user:create', '--username', 'ops', '--email', 'ops@example.com', '--password', 'ops-password', '--role', 'operator')).resolves.toBe(
      EXIT.ok,
    );
    expect(printed).toMatch(/^created operator ops \(/m);
    await expect(cli('user:create', '--username', 'OPS', '--email', 'ops2@example.com', '--password', 'ops-password')).resolves.toBe(EXIT.data);
    await expect(cli('user:create', '--username', 'ops2', '--email', 'ops2@example.com', '--password', 'short')).resolves.toBe(EXIT.data);
    const file = join(dataDir, 'generated.csv');
    await expect(cli('settlement:generate', file, '--rows', '50', '--bad', '5', '--prefix', 'CLI')).resolves.toBe(EXIT.ok);
    await expect(cli('settlement:ingest', file)).resolves.toBe(EXIT.ok);
    expect(printed).toContain('generated.csv: completed, 45 loaded, 5 rejected');
  });
});
