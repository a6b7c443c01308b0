import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AppConfigService } from '@app/core';
import { FileSource, SettlementFile } from './entities/settlement-file.entity';
import { SettlementFilesService } from './settlement-files.service';
import { safeName } from './settlement-ingest.service';
import { SettlementProfiles } from './settlement-profiles';

/** A file modified less than this long ago may still be being written: it waits for the next tick. */
export const INBOX_SETTLE_MS = 2_000;
/** A claimed file with no record this old was left by a process that died while registering it. */
const ORPHAN_AFTER_MS = 60_000;
/** Staged files are named `<file id>__<name>`. */
const STAGED_NAME = /^([0-9a-f-]{36})__(.+)$/;

/**
 * The inbox: finds files ready to load, claims each one for exactly one process by renaming it into
 * the processing folder (a rename either happens once or fails), and registers it.
 */
@Injectable()
export class SettlementInboxService implements OnModuleInit {
  private readonly logger = new Logger(SettlementInboxService.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly files: SettlementFilesService,
    private readonly profiles: SettlementProfiles,
  ) {}

  /** The folders exist from the first start, so a newcomer sees where files go. */
  async onModuleInit(): Promise<void> {
    const { inboxDir, processingDir } = this.config.get('paths');
    for (const dir of [inboxDir, processingDir]) {
      await mkdir(dir, { recursive: true }).catch((error: Error) => this.logger.warn(`Cannot create ${dir}: ${error.message}`));
    }
  }

  /** Claims and registers every ready file (and any claimed file left unregistered by a crash). */
  async claimReady(now = Date.now()): Promise<SettlementFile[]> {
    const { inboxDir, processingDir } = this.config.get('paths');
    await mkdir(processingDir, { recursive: true });
    const registered: SettlementFile[] = [...(await this.adoptOrphans(now))];
    for (const path of await listFiles(inboxDir)) {
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile() || now - info.mtimeMs < INBOX_SETTLE_MS) continue;
      const name = relative(inboxDir, path).split(sep).join('/');
      const id = randomUUID();
      const stagedPath = join(processingDir, `${id}__${safeName(name)}`);
      if (!(await claim(path, stagedPath))) continue;
      const profile = this.profileFor(name);
      registered.push(await this.files.register({ id, name, stagedPath, source: 'inbox', profile: profile ?? 'canonical' }));
    }
    return registered;
  }

  /** Registers a copy of a local file (a shell command, the embedded sample); the original stays. */
  async registerCopy(sourcePath: string, name: string, source: FileSource, explicitProfile?: string): Promise<SettlementFile> {
    const profile = this.profiles.resolve(name, explicitProfile).name;
    const { processingDir } = this.config.get('paths');
    await mkdir(processingDir, { recursive: true });
    const id = randomUUID();
    const stagedPath = join(processingDir, `${id}__${safeName(name)}`);
    await copyFile(sourcePath, stagedPath);
    return this.files.register({ id, name, stagedPath, source, profile });
  }

  /** Pending files from earlier runs that have no task yet. */
  unqueued(now = Date.now()): Promise<SettlementFile[]> {
    return this.files.unqueued(new Date(now - ORPHAN_AFTER_MS));
  }

  private profileFor(name: string): string | null {
    try {
      return this.profiles.resolve(name).name;
    } catch {
      return null;
    }
  }

  /** Staged files without a record: the claim happened, the registration did not. */
  private async adoptOrphans(now: number): Promise<SettlementFile[]> {
    const { processingDir } = this.config.get('paths');
    const staged = (await readdir(processingDir)).map((name) => ({ name, match: STAGED_NAME.exec(name) }));
    const candidates = staged.filter((s): s is { name: string; match: RegExpExecArray } => s.match !== null);
    const known = new Set((await this.files.findIds(candidates.map((c) => c.match[1]))).map((f) => f.id));
    const adopted: SettlementFile[] = [];
    for (const { name, match } of candidates) {
      const path = join(processingDir, name);
      const info = await stat(path).catch(() => undefined);
      if (known.has(match[1]) || !info || now - info.ctimeMs < ORPHAN_AFTER_MS) continue;
      this.logger.warn(`Registering ${name}, claimed by a process that stopped before recording it`);
      adopted.push(
        await this.files.register({ id: match[1], name: match[2], stagedPath: path, source: 'inbox', profile: this.profileFor(match[2]) ?? 'canonical' }),
      );
    }
    return adopted;
  }
}

/** Every regular file under `dir`, skipping hidden files and unfinished uploads (`*.part`, `*.tmp`). */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !/\.(part|tmp|partial)$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (path) =>
        !relative(dir, path)
          .split(sep)
          .some((segment) => segment.startsWith('.')),
    )
    .sort();
}

/**
 * Takes the file for this process. Within one filesystem a rename is atomic: exactly one claimant
 * wins, the others see it gone. Across filesystems (inbox on another volume) the file is first
 * renamed to a hidden name in the inbox, which is the claim, then copied.
 */
async function claim(path: string, stagedPath: string): Promise<boolean> {
  try {
    await rename(path, stagedPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code !== 'EXDEV') throw error;
  }
  const claimed = join(path, '..', `.claimed-${safeName(stagedPath.split(sep).pop() ?? '')}`);
  try {
    await rename(path, claimed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await copyFile(claimed, stagedPath);
  await rm(claimed, { force: true });
  return true;
}
