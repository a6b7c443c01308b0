import { Injectable } from '@nestjs/common';
import { WebhookEvents } from '@app/webhooks';
import { SettlementFileResponse } from './dto/settlement-file.response';
import type { SettlementFile } from './entities/settlement-file.entity';

/**
 * §Events `settlement.file.finished`: a file completed, failed or found a duplicate, with the summary
 * GET /api/settlement/files/{id} shows. The file lives in the settlement database and its deliveries
 * in the finance one, so no transaction holds both: the event is reported after the file's outcome
 * is stored, and again by every later run that finds the file finished (a load retried after a crash
 * in between), which records nothing new, the event being keyed by the file.
 */
@Injectable()
export class SettlementFileEvents {
  constructor(private readonly events: WebhookEvents) {}

  finished(file: SettlementFile): Promise<void> {
    return this.events.emit({ type: 'settlement.file.finished', key: `settlement.file.finished:${file.id}`, data: { ...SettlementFileResponse.of(file) } });
  }
}
