import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfigService, REDIS, SharedCounter } from '@app/core';

/**
 * Bumped every time an ingest commits rows; the settlement query cache keys its answers on it, so a
 * completed ingest makes every older answer unreachable at once.
 */
@Injectable()
export class SettlementDataVersion extends SharedCounter {
  constructor(@Inject(REDIS) redis: Redis | null, config: AppConfigService) {
    super(redis, `${config.get('redis')?.prefix ?? 'payments'}:settlement:data-version`, SettlementDataVersion.name);
  }
}
