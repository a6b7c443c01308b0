import { Inject, Injectable } from '@nestjs/common';
import { DiskHealthIndicator, HealthCheckService, HealthIndicatorFunction, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { AuditVerifier } from '@app/audit';
import { AppConfigService, REDIS, withTimeout } from '@app/core';
import { FINANCE_DB, SETTLEMENT_DB } from '@app/database';

const TIMEOUT_MS = 1500;

/** Which parts each probe checks and how a failing part counts. */
@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly disk: DiskHealthIndicator,
    private readonly config: AppConfigService,
    @InjectDataSource(FINANCE_DB) private readonly finance: DataSource,
    @InjectDataSource(SETTLEMENT_DB) private readonly settlement: DataSource,
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly audit: AuditVerifier,
  ) {}

  /** Every part; any part down is an error (503). */
  full() {
    return this.health.check([...this.databases(), () => this.redisCheck('down'), () => this.queue('down'), () => this.diskCheck(), () => this.auditCheck()]);
  }

  /** Can this instance serve? Only the databases decide; Redis down is reported as degraded (200). */
  ready() {
    return this.health.check([...this.databases(), () => this.redisCheck('degraded'), () => this.queue('degraded')]);
  }

  private databases(): HealthIndicatorFunction[] {
    return [
      () => this.typeorm.pingCheck('finance_database', { connection: this.finance, timeout: TIMEOUT_MS }),
      () => this.typeorm.pingCheck('settlement_database', { connection: this.settlement, timeout: TIMEOUT_MS }),
    ];
  }

  private async redisCheck(whenDown: 'down' | 'degraded') {
    const session = this.indicators.check('redis');
    if (!this.redis) return session.up({ mode: 'embedded', message: 'not configured: in-memory cache and queue' });
    try {
      await withTimeout(this.redis.ping(), TIMEOUT_MS);
      return session.up();
    } catch (error) {
      const data = { message: `unreachable: ${(error as Error).message}` };
      return whenDown === 'down' ? session.down(data) : session.degraded(data);
    }
  }

  private async queue(whenDown: 'down' | 'degraded') {
    const session = this.indicators.check('queue');
    if (!this.redis) return session.up({ driver: 'in-process' });
    if (this.redis.status === 'ready') return session.up({ driver: 'bull' });
    const data = { driver: 'bull', message: 'Redis unreachable: new jobs are refused' };
    return whenDown === 'down' ? session.down(data) : session.degraded(data);
  }

  /** §Audit: the chain recomputed at most once an hour; `down` names the first entry that breaks it. */
  private async auditCheck() {
    const session = this.indicators.check('audit');
    try {
      const report = await this.audit.recent();
      const data = { entries: report.checked, checked_at: report.checkedAt.toISOString() };
      return report.ok ? session.up(data) : session.down({ ...data, seq: report.break!.seq, message: report.break!.message });
    } catch (error) {
      return session.down({ message: `could not be verified: ${(error as Error).message}` });
    }
  }

  private diskCheck() {
    return this.disk.checkStorage('disk', { path: this.config.get('paths').dataDir, thresholdPercent: 0.98 });
  }
}
