import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Role } from '@app/access';
import { AuditVerifier } from '@app/audit';
import { AppConfigService, ConflictError } from '@app/core';
import { isUniqueViolation } from '@app/database';
import { ExtractsProcessor, ExtractsService, resolvePeriod } from '@app/extracts';
import { JOBS, TasksService } from '@app/jobs';
import { TransactionsService } from '@app/transactions';
import { AdminBootstrap, UsersService } from '@app/users';
import { SettlementInboxService, SettlementIngestService, generateSettlementFile } from '@app/settlement-ingest';
import { CliModule } from './cli.module';
import { progressBar } from './progress-bar';

/** A command line that parses but cannot be carried out as asked; exit code 64 (EX_USAGE). */
export class UsageError extends Error {}

export type Aggregation = 'day' | 'week' | 'month' | 'year';

/** The product's modules without HTTP, queue processing or schedules, for the length of one command. */
export async function withApp(config: AppConfigService, fn: (app: INestApplicationContext) => Promise<void>): Promise<void> {
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    await fn(app);
  } finally {
    await app.close();
  }
}

export async function createUser(
  app: INestApplicationContext,
  opts: { username: string; email: string; password: string; role: Role; fullName?: string },
): Promise<void> {
  const users = app.get(UsersService);
  users.checkPassword(opts.password);
  const user = await users
    .insert({ username: opts.username, email: opts.email, password: opts.password, full_name: opts.fullName, role: opts.role })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? new ConflictError('Username or email already in use', undefined, { cause: error }) : error;
    });
  process.stdout.write(`created ${user.role} ${user.username} (${user.id})\n`);
}

/** §Audit: recomputes the chain from its anchor; a break names its first entry and exits 65. */
export async function verifyAudit(app: INestApplicationContext): Promise<void> {
  const report = await app.get(AuditVerifier).verify();
  if (!report.ok) throw new ConflictError(`Audit chain broken: ${report.break!.message}`, report.break);
  process.stdout.write(`audit chain intact: ${report.checked} entries verified\n`);
}

/** `--password-file PATH` (`-`: standard input), one trailing line break dropped; none: a generated one. */
export async function resetAdminPassword(app: INestApplicationContext, opts: { passwordFile?: string }): Promise<void> {
  const chosen = opts.passwordFile === undefined ? undefined : await readPassword(opts.passwordFile);
  const result = await app.get(AdminBootstrap).resetPassword(chosen);
  const who = `${result.created ? 'created' : 'reset'} admin "${result.username}"`;
  // Straight to the terminal, never through the logger: the only copy of a generated password.
  process.stdout.write(
    result.generated
      ? `${who} with password: ${result.password}\nIt is shown only this once.\n`
      : `${who} with the password read from ${opts.passwordFile === '-' ? 'standard input' : opts.passwordFile}\n`,
  );
}

async function readPassword(source: string): Promise<string> {
  let text: string;
  if (source === '-') {
    if (process.stdin.isTTY) throw new UsageError('--password-file -: pipe the password in (printf %s "$PW" | …), or leave the option out for a generated one');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`--password-file ${source}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new UsageError(`--password-file ${source}: empty`);
  return password;
}

export async function seedTransactions(app: INestApplicationContext, opts: { username: string; count: number; seed: number }): Promise<void> {
  const user = await app.get(UsersService).findByUsername(opts.username);
  if (!user) throw new UsageError(`no user named ${opts.username}`);
  let state = opts.seed >>> 0 || 1;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const categories = ['food', 'rent', 'travel', 'salary', 'utilities', 'fun'];
  const bar = progressBar('seeding');
  const actor = { id: user.id, username: user.username, role: user.role };
  const now = Date.now();
  for (let done = 0; done < opts.count;) {
    const size = Math.min(5_000, opts.count - done);
    const batch = Array.from({ length: size }, () => {
      const cents = Math.floor(random() * 200_000) - 150_000;
      const amount = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
      return {
        amount,
        currency: random() < 0.8 ? 'USD' : 'EUR',
        category: categories[Math.floor(random() * categories.length)],
        description: 'synthetic',
        occurred_at: new Date(now - Math.floor(random() * 365 * 86_400_000)).toISOString(),
      };
    });
    await app.get(TransactionsService).createMany(actor, batch);
    done += size;
    bar.update(done, opts.count);
  }
  bar.finish(opts.count, opts.count);
}

export async function generateExtract(
  app: INestApplicationContext,
  opts: { username: string; daysBefore?: number; startDate?: string; endDate?: string; aggregation: Aggregation; detailed: boolean },
): Promise<void> {
  const user = await app.get(UsersService).findByUsername(opts.username);
  if (!user) throw new UsageError(`no user named ${opts.username}`);
  const period = resolvePeriod({ start_date: opts.startDate, end_date: opts.endDate, days_before: opts.daysBefore });
  const params = { source: 'transactions', ...period, aggregation: opts.aggregation, detailed: opts.detailed };
  const tasks = app.get(TasksService);
  const task = await tasks.create(user.id, JOBS.generateExtract, params);
  await tasks.start(task.id, 1);
  const bar = progressBar('extract');
  const result = await app.get(ExtractsProcessor).generate({
    taskId: task.id,
    ownerId: user.id,
    params,
    attempt: 1,
    signal: new AbortController().signal,
    progress: (done, total) => bar.update(done, total),
  });
  bar.finish(Number(result.rows), Number(result.rows));
  await tasks.succeed(task.id, result);
  process.stdout.write(`${app.get(ExtractsService).filePath(task.id)} (${result.rows} rows, ${result.bytes} bytes, task ${task.id})\n`);
}

export async function ingestSettlementFile(app: INestApplicationContext, path: string, opts: { profile?: string }): Promise<void> {
  const file = await app.get(SettlementInboxService).registerCopy(path, basename(path), 'command', opts.profile);
  await loadWithProgress(app, file.id, file.name);
}

export async function scanInbox(app: INestApplicationContext): Promise<void> {
  const inbox = app.get(SettlementInboxService);
  const files = [...(await inbox.claimReady()), ...(await inbox.unqueued())];
  if (files.length === 0) process.stdout.write('inbox: no file ready\n');
  for (const file of files) await loadWithProgress(app, file.id, file.name);
}

async function loadWithProgress(app: INestApplicationContext, fileId: string, name: string): Promise<void> {
  const bar = progressBar(name.slice(-24));
  const result = await app.get(SettlementIngestService).load(fileId, { progress: (done, total) => bar.update(done, total) });
  bar.finish(1, 1);
  process.stdout.write(
    `${name}: ${result.status}, ${result.rows_loaded} loaded, ${result.rows_rejected} rejected` +
      `${result.error ? ` (${result.error})` : ''} [file ${result.file_id}]\n`,
  );
}

export async function generateSettlement(path: string, opts: { rows: number; bad: number; seed: number; prefix?: string }): Promise<void> {
  const result = await generateSettlementFile(path, { rows: opts.rows, badRows: opts.bad, seed: opts.seed, docPrefix: opts.prefix });
  process.stdout.write(`${path}: ${result.rows} rows (${result.valid} valid, ${result.bad} bad)\n`);
}
