import { NotFoundError, ServiceUnavailableError, ValidationError } from '@app/core';
import * as actions from './app-commands';
import * as migrations from './migration-commands';
import { Boot, EXIT, buildProgram, runCli } from './commands';

// The actions are the product's services (tested where they live); here only the command line.
jest.mock('./app-commands', () => ({
  UsageError: class UsageError extends Error {},
  withApp: jest.fn(async (_config: unknown, fn: (app: unknown) => Promise<void>) => fn('app-context')),
  createUser: jest.fn(async () => undefined),
  resetAdminPassword: jest.fn(async () => undefined),
  seedTransactions: jest.fn(async () => undefined),
  generateExtract: jest.fn(async () => undefined),
  ingestSettlementFile: jest.fn(async () => undefined),
  scanInbox: jest.fn(async () => undefined),
  generateSettlement: jest.fn(async () => undefined),
}));
jest.mock('./migration-commands', () => ({
  DATA_SOURCES: ['finance', 'settlement'],
  migrate: jest.fn(async () => undefined),
  revert: jest.fn(async () => undefined),
}));

const COMMANDS = [
  'db:migrate',
  'db:revert',
  'user:create',
  'admin:reset-password',
  'audit:verify',
  'seed:transactions',
  'extract:generate',
  'settlement:ingest',
  'settlement:scan',
  'settlement:generate',
];

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const booted = { config: 'config', logger: 'logger' } as unknown as ReturnType<Boot>;
  const boot = jest.fn(() => booted);
  const code = await runCli(argv, boot, { writeOut: (text) => (out += text), writeErr: (text) => (err += text) });
  return { code, out, err, boot };
}

beforeEach(() => jest.clearAllMocks());

describe('npm run cli', () => {
  it('keeps the command names of the hand-written parser, and lists them for help or no arguments', async () => {
    expect(buildProgram(jest.fn()).commands.map((command) => command.name())).toEqual(COMMANDS);
    for (const argv of [[], ['help'], ['--help']]) {
      const { code, out, boot } = await cli(...argv);
      expect(code).toBe(EXIT.ok);
      for (const name of COMMANDS) expect(out).toContain(name);
      expect(boot).not.toHaveBeenCalled();
    }
  });

  it.each(COMMANDS)('%s --help describes its options and reads no config', async (name) => {
    const { code, out, boot } = await cli(name, '--help');
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(`Usage: npm run cli -- ${name}`);
    expect(out).toContain('--help');
    expect(boot).not.toHaveBeenCalled();
  });

  it.each([
    [['nope'], "unknown command 'nope'"],
    [['user:create', '--username', 'bob'], "required option '--email <address>' not specified"],
    [['user:create', '--username', 'b', '--email', 'e', '--password', 'p', '--role', 'root'], 'Allowed choices are user, operator, admin'],
    [['seed:transactions', '--username', 'alice', '--count', '0'], 'must be a whole number of at least 1'],
    [['settlement:generate', 'out.csv', '--rows', '1e3'], 'must be a whole number'],
    [['settlement:generate', 'out.csv', 'extra', '--rows', '1'], 'too many arguments'],
    [['settlement:ingest'], "missing required argument 'path'"],
    [['db:revert', 'audit'], 'Allowed choices are finance, settlement'],
    [['extract:generate', '--username', 'a', '--days-before', '3', '--end-date', '2024-01-01'], 'cannot be used with'],
    [['extract:generate', '--username', 'a', '--start-date', '2024-02-30', '--end-date', '2024-03-01'], 'must be a real date'],
  ])('%j is a usage error (64) naming what is wrong, before any config is read', async (argv, message) => {
    const { code, err, boot } = await cli(...argv);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(message);
    expect(err).toContain('(add --help for usage)');
    expect(boot).not.toHaveBeenCalled();
  });

  it('hands each command its parsed options, with the defaults of the old parser', async () => {
    await cli('user:create', '--username', 'bob', '--email', 'bob@example.com', '--password', 'bob-password', '--full-name', 'Bob B');
    expect(actions.createUser).toHaveBeenCalledWith('app-context', {
      username: 'bob',
      email: 'bob@example.com',
      password: 'bob-password',
      role: 'user',
      fullName: 'Bob B',
    });
    await cli('seed:transactions', '--username', 'bob');
    expect(actions.seedTransactions).toHaveBeenCalledWith('app-context', { username: 'bob', count: 10_000, seed: 1 });
    await cli('extract:generate', '--username', 'bob', '--days-before', '30', '--detailed');
    expect(actions.generateExtract).toHaveBeenCalledWith('app-context', {
      username: 'bob',
      daysBefore: 30,
      aggregation: 'month',
      detailed: true,
    });
    await cli('settlement:ingest', 'in.csv', '--profile', 'bank-a');
    expect(actions.ingestSettlementFile).toHaveBeenCalledWith('app-context', 'in.csv', { profile: 'bank-a' });
    await cli('settlement:generate', 'out.csv', '--rows', '100', '--bad', '5');
    expect(actions.generateSettlement).toHaveBeenCalledWith('out.csv', { rows: 100, bad: 5, seed: 1 });
    await cli('admin:reset-password', '--password-file', '-');
    expect(actions.resetAdminPassword).toHaveBeenCalledWith('app-context', { passwordFile: '-' });
    await cli('db:revert', 'finance', '--all');
    expect(migrations.revert).toHaveBeenCalledWith('finance', true, 'config', 'logger');
    const { code } = await cli('db:migrate');
    expect(code).toBe(EXIT.ok);
    expect(migrations.migrate).toHaveBeenCalledWith('config', 'logger');
  });

  it.each([
    [new actions.UsageError('no user named bob'), EXIT.usage],
    [ValidationError.fields([{ field: 'password', problems: ['password must be at least 8 characters'] }]), EXIT.data],
    [new NotFoundError('no such file'), EXIT.data],
    [new ServiceUnavailableError('The finance database is unavailable; retry shortly'), EXIT.unavailable],
  ])('an action refusing with %p exits %i with its message', async (error, exit) => {
    jest.mocked(actions.scanInbox).mockRejectedValueOnce(error);
    const { code, err } = await cli('settlement:scan');
    expect(code).toBe(exit);
    expect(err).toContain(error.message);
  });

  it('lets an unexpected fault through (a stack trace, exit 1), not a usage message', async () => {
    jest.mocked(actions.scanInbox).mockRejectedValueOnce(new TypeError('bug'));
    await expect(cli('settlement:scan')).rejects.toThrow('bug');
  });
});
