import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfigService } from '@app/core';

/** §Extracts: files expire after EXTRACT_TTL_HOURS. Idempotent, so every replica may run it. */
@Injectable()
export class ExtractsCleanup {
  private readonly logger = new Logger(ExtractsCleanup.name);

  constructor(private readonly config: AppConfigService) {}

  @Cron(CronExpression.EVERY_10_MINUTES)
  async purgeExpired(now = Date.now()): Promise<number> {
    const dir = this.config.get('paths').extractsDir;
    const ttlMs = this.config.get('extracts').ttlHours * 3_600_000;
    let removed = 0;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && now - info.mtimeMs > ttlMs) {
        await rm(path, { force: true });
        removed += 1;
      }
    }
    if (removed > 0) this.logger.log(`Removed ${removed} expired extract file(s)`);
    return removed;
  }
}
