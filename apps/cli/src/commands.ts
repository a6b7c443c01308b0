import { INestApplicationContext } from '@nestjs/common';
import { Argument, Command, CommanderError, InvalidArgumentError, Option, OutputConfiguration } from 'commander';
import { ROLES } from '@app/access';
import { AppConfigService, AppLogger, DomainError, isCalendarDate } from '@app/core';
import {
  UsageError,
  createUser,
  generateExtract,
  generateSettlement,
  ingestSettlementFile,
  resetAdminPassword,
  scanInbox,
  seedTransactions,
  verifyAudit,
  withApp,
} from './app-commands';
import { DATA_SOURCES, migrate, revert } from './migration-commands';

/** sysexits.h: a command line that cannot be carried out, input refused, a dependency down. */
export const EXIT = { ok: 0, usage: 64, data: 65, unavailable: 69 } as const;

/** The validated config and logger, read only by commands that need them (so `--help` never does). */
export type Boot = () => { config: AppConfigService; logger: AppLogger };

function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(min > 0 ? `must be a whole number of at least ${min}.` : 'must be a whole number.');
    }
    return n;
  };
}

function calendarDate(value: string): string {
  if (!isCalendarDate(value)) throw new InvalidArgumentError('must be a real date, YYYY-MM-DD.');
  return value;
}

/** `npm run cli -- <command> [options]`: what the source systems' Makefile did, each with `--help`. */
export function buildProgram(boot: Boot, output?: OutputConfiguration): Command {
  const program = new Command('npm run cli --')
    .description("The product's commands: migrations, users, seeding, extracts, settlement files.")
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  if (output) program.configureOutput(output);
  /**
   * An action run inside the product's modules (CliModule), opened for it and closed after; it gets
   * the command's arguments and options, not the Command object commander passes last.
   */
  const app =
    <T extends unknown[]>(fn: (context: INestApplicationContext, ...args: T) => Promise<void>) =>
    (...args: [...T, Command]) =>
      withApp(boot().config, (context) => fn(context, ...(args.slice(0, -1) as T)));

  program
    .command('db:migrate')
    .description('apply pending migrations to both data sources (create tables)')
    .action(() => migrate(boot().config, boot().logger));

  program
    .command('db:revert')
    .description('revert the last migration of one data source (drop tables)')
    .addArgument(new Argument('<source>', 'the data source').choices(DATA_SOURCES))
    .option('--all', 'revert every migration of it, not only the last', false)
    .action((source: (typeof DATA_SOURCES)[number], opts: { all: boolean }) => revert(source, opts.all, boot().config, boot().logger));

  program
    .command('user:create')
    .description('create a user')
    .requiredOption('--username <name>', 'login name, 3-64 of A-Z a-z 0-9 . _ -')
    .requiredOption('--email <address>', 'unique email address')
    .requiredOption('--password <password>', '8-72 bytes')
    .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).default('user'))
    .option('--full-name <name>', 'display name')
    .action(app(createUser));

  program
    .command('admin:reset-password')
    .summary('give the admin a new password (a lost one is never shown again)')
    .description(
      'Give the admin (ADMIN_USERNAME) a new password: generated and printed once, or read from --password-file.\n' +
        'Creates the admin from ADMIN_* when there is none, and makes it an enabled admin again.\n' +
        'Refused while ADMIN_PASSWORD is set: every start gives the admin that password again, so change it there.',
    )
    .option('--password-file <path>', 'read the password from this file instead of generating one; - reads standard input')
    .action(app(resetAdminPassword));

  program
    .command('audit:verify')
    .summary('recompute the audit chain and name the first entry altered, removed or inserted')
    .description(
      "Recompute the audit trail's hash chain from its anchor (§Audit). Exits 0 when it is intact; otherwise names the first\n" +
        'entry that was altered, removed or inserted out of band and exits 65.',
    )
    .action(app(verifyAudit));

  program
    .command('seed:transactions')
    .description('add synthetic transactions for a user (progress bar)')
    .requiredOption('--username <name>', 'the owner of the transactions')
    .option('--count <n>', 'how many', wholeNumber(1), 10_000)
    .option('--seed <n>', 'seed of the generator (same seed, same transactions)', wholeNumber(0), 1)
    .action(app(seedTransactions));

  program
    .command('extract:generate')
    .summary("write a user's transactions extract now (progress bar)")
    .description("Write a user's transactions extract now, with a progress bar. The period: --days-before, or both dates.")
    .requiredOption('--username <name>', 'whose transactions')
    .addOption(new Option('--days-before <n>', 'the last N days up to today (UTC)').argParser(wholeNumber(1)).conflicts(['startDate', 'endDate']))
    .option('--start-date <date>', 'first day, YYYY-MM-DD', calendarDate)
    .option('--end-date <date>', 'last day, YYYY-MM-DD (included)', calendarDate)
    .addOption(new Option('--aggregation <period>', 'rows per period').choices(['day', 'week', 'month', 'year'] as const).default('month'))
    .option('--detailed', 'one row per transaction instead of aggregates', false)
    .action(app(generateExtract));

  program
    .command('settlement:ingest')
    .description('load one settlement file now (progress bar)')
    .argument('<path>', 'the settlement CSV file (copied in; the original stays)')
    .option('--profile <name>', 'source profile of SETTLEMENT_PROFILES')
    .action(app(ingestSettlementFile));

  program.command('settlement:scan').description('scan the settlement inbox now and load every ready file (progress bars)').action(app(scanInbox));

  program
    .command('settlement:generate')
    .summary('write a canonical settlement file (tests, benchmarks, samples)')
    .description('Write a canonical settlement file (tests, benchmarks, samples); needs no database.')
    .argument('<path>', 'where to write it')
    .requiredOption('--rows <n>', 'data rows', wholeNumber(0))
    .option('--bad <n>', 'of which rows that break a rule', wholeNumber(0), 0)
    .option('--seed <n>', 'seed of the generator (same seed, same file)', wholeNumber(0), 1)
    .option('--prefix <text>', 'prefix of every DOC_IDT (files that must not collide)')
    .action((path: string, opts: { rows: number; bad: number; seed: number; prefix?: string }) => generateSettlement(path, opts));

  return program;
}

/** Runs one command line; the exit code: 0, or one of EXIT. No arguments shows the help. */
export async function runCli(argv: string[], boot: Boot, output?: OutputConfiguration): Promise<number> {
  const program = buildProgram(boot, output);
  const writeErr = output?.writeErr ?? ((text: string) => process.stderr.write(text));
  try {
    await program.parseAsync(argv.length === 0 ? ['help'] : argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // Commander has printed what was wrong (or the help it was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      writeErr(`${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof DomainError) {
      writeErr(`${error.message}${error.details ? ` ${JSON.stringify(error.details)}` : ''}\n`);
      return error.kind === 'unavailable' ? EXIT.unavailable : EXIT.data;
    }
    throw error;
  }
}
