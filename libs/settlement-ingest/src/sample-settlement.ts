import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Repository } from 'typeorm';
import { AppConfigService } from '@app/core';
import { SETTLEMENT_DB } from '@app/database';
import { RUN_PROCESSORS } from '@app/jobs';
import { SettlementFile } from './entities/settlement-file.entity';
import { SYSTEM_OWNER, SettlementFilesService } from './settlement-files.service';
import { SettlementInboxService } from './settlement-inbox.service';

/** Shipped with the product (samples/), loaded by the first embedded start. */
export const SAMPLE_FILE = join(process.cwd(), 'samples', 'settlement-sample.csv');

/**
 * §Modes: a newcomer's first embedded start has settlement data to look at. Only when the settlement
 * database is the embedded one, this process runs the jobs, and no file was ever received.
 */
@Injectable()
export class SampleSettlement implements OnApplicationBootstrap {
  private readonly logger = new Logger(SampleSettlement.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly files: SettlementFilesService,
    private readonly inbox: SettlementInboxService,
    @InjectRepository(SettlementFile, SETTLEMENT_DB) private readonly repository: Repository<SettlementFile>,
    @Inject(RUN_PROCESSORS) private readonly runProcessors: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('settlement').embedded || !this.runProcessors) return;
    if ((await this.repository.count()) > 0) return;
    if (!(await stat(SAMPLE_FILE).catch(() => undefined))) return;
    const file = await this.inbox.registerCopy(SAMPLE_FILE, 'samples/settlement-sample.csv', 'command');
    await this.files.enqueueLoad(file, SYSTEM_OWNER);
    this.logger.log('Embedded mode: loading the sample settlement file samples/settlement-sample.csv');
  }
}
