import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import { RequireRole } from '@app/access';
import { ApiErrors, BEARER_SCHEME } from '@app/core';
import { FINANCE_DB } from '@app/database';
import { AuditSealer } from './audit-sealer';
import { AuditEntryResponse, AuditListResponse, ListAuditQuery } from './dto/audit.dto';
import { AuditEntry } from './entities/audit-entry.entity';

@ApiTags('audit')
@ApiBearerAuth(BEARER_SCHEME)
@Controller()
export class AuditController {
  constructor(
    @InjectDataSource(FINANCE_DB) private readonly dataSource: DataSource,
    private readonly sealer: AuditSealer,
  ) {}

  @Get('audit')
  @RequireRole('admin')
  @ApiOperation({ summary: 'The audit trail (admin), newest first: who changed what, when, from what to what' })
  @ApiOkResponse({ type: AuditListResponse })
  @ApiErrors(400, 401, 403, 503)
  async list(@Query() query: ListAuditQuery): Promise<AuditListResponse> {
    // Every change committed before this request is in the chain before it is read.
    await this.sealer.seal();
    const limit = query.limit ?? 50;
    const filtered = this.dataSource.getRepository(AuditEntry).createQueryBuilder('e');
    if (query.actor !== undefined) {
      filtered.andWhere(new Brackets((q) => q.where('e.actorUsername = :actor', { actor: query.actor }).orWhere('e.actorId = :actor', { actor: query.actor })));
    }
    if (query.action !== undefined) filtered.andWhere('e.action = :action', { action: query.action });
    if (query.subject_id !== undefined) filtered.andWhere('e.subjectId = :subject', { subject: query.subject_id });
    if (query.from) filtered.andWhere('e.at >= :from', { from: query.from.length === 10 ? new Date(`${query.from}T00:00:00.000Z`) : new Date(query.from) });
    if (query.to)
      filtered.andWhere(query.to.length === 10 ? 'e.at < :to' : 'e.at <= :to', { to: query.to.length === 10 ? nextDay(query.to) : new Date(query.to) });
    const total = await filtered.clone().getCount();
    const page = filtered.orderBy('e.seq', 'DESC').take(limit);
    if (query.cursor !== undefined) page.andWhere('e.seq < :cursor', { cursor: Number(query.cursor) });
    else page.skip(query.skip ?? 0);
    const entries = await page.getMany();
    const last = entries[entries.length - 1];
    return { entries: entries.map(AuditEntryResponse.from), total, next_cursor: entries.length === limit && last.seq > 1 ? String(last.seq) : null };
  }
}

function nextDay(date: string): Date {
  const day = new Date(`${date}T00:00:00.000Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day;
}
