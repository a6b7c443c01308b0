import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { AuthUser } from '@app/access';
import { AuditLog } from '@app/audit';
import { ConflictError, NotFoundError, ValidationError } from '@app/core';
import { FINANCE_DB } from '@app/database';
import { User, UsersService } from '@app/users';
import { GrantSubscriptionDto } from './dto/subscription.dto';
import { Subscription } from './entities/subscription.entity';

const DEFAULT_DAYS = 30;
const DEFAULT_PLAN = 'standard';
const DAY_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class SubscriptionsService {
  constructor(
    @InjectRepository(Subscription, FINANCE_DB) private readonly subscriptions: Repository<Subscription>,
    @InjectDataSource(FINANCE_DB) private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditLog,
  ) {}

  /** A new grant replaces the open one (ended as `superseded`), so there is one current row. */
  async grant(actor: AuthUser, dto: GrantSubscriptionDto): Promise<{ username: string; subscription: Subscription }> {
    if (dto.days !== undefined && dto.expires_at !== undefined) {
      throw ValidationError.fields([{ field: 'expires_at', problems: ['send either days or expires_at, not both'] }]);
    }
    const now = new Date();
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : new Date(now.getTime() + (dto.days ?? DEFAULT_DAYS) * DAY_MS);
    if (expiresAt <= now) {
      throw ValidationError.fields([{ field: 'expires_at', problems: ['expires_at must be in the future'] }]);
    }
    const user = await this.requireUser(dto.username);
    // One transaction: the user's row locked, the open grant ended, the new one stored, the entry appended.
    const subscription = await this.audit.recorded(async () => {
      await this.lockUser(this.dataSource.manager, user.id);
      const repo = this.dataSource.getRepository(Subscription);
      await repo.update({ userId: user.id, endedAt: IsNull() }, { endedAt: now, endedBy: actor.id, endReason: 'superseded' });
      const granted = await repo.save(
        repo.create({
          id: randomUUID(),
          userId: user.id,
          plan: dto.plan ?? DEFAULT_PLAN,
          startsAt: now,
          expiresAt,
          grantedBy: actor.id,
          endedAt: null,
          endedBy: null,
          endReason: null,
        }),
      );
      return {
        result: granted,
        audit: {
          actor,
          action: 'subscription.grant',
          subjectType: 'subscription',
          subjectId: granted.id,
          after: {
            user_id: user.id,
            username: user.username,
            plan: granted.plan,
            starts_at: granted.startsAt.toISOString(),
            expires_at: granted.expiresAt.toISOString(),
          },
        },
      };
    });
    return { username: user.username, subscription };
  }

  async revoke(actor: AuthUser, username: string): Promise<{ username: string; subscription: Subscription }> {
    const user = await this.requireUser(username);
    const current = await this.current(user.id);
    const now = new Date();
    if (!current || !current.isActive(now)) throw new ConflictError(`${user.username} has no active subscription`);
    // Conditional: of concurrent revocations (or a revocation racing a new grant) only the one
    // whose UPDATE ended the row answers 200.
    const ended = { endedAt: now, endedBy: actor.id, endReason: 'revoked' as const };
    await this.audit.recorded(async () => {
      const result = await this.subscriptions.update({ id: current.id, endedAt: IsNull() }, ended);
      if (!result.affected) throw new ConflictError(`${user.username} has no active subscription`);
      return {
        result: undefined,
        audit: {
          actor,
          action: 'subscription.revoke',
          subjectType: 'subscription',
          subjectId: current.id,
          before: { ended_at: null },
          after: { user_id: user.id, username: user.username, ended_at: now.toISOString(), end_reason: 'revoked' },
        },
      };
    });
    return { username: user.username, subscription: Object.assign(current, ended) };
  }

  /** The open grant, active or expired; null when none was ever granted or the last was ended. */
  current(userId: string): Promise<Subscription | null> {
    return this.subscriptions.findOne({ where: { userId, endedAt: IsNull() }, order: { startsAt: 'DESC' } });
  }

  async isActive(userId: string): Promise<boolean> {
    return (await this.current(userId))?.isActive() ?? false;
  }

  history(userId: string): Promise<Subscription[]> {
    return this.subscriptions.find({ where: { userId }, order: { startsAt: 'DESC' } });
  }

  /**
   * Serialises grants for one user, so "at most one open row" holds under concurrency: the user's
   * row locked until the transaction ends on PostgreSQL and MySQL. SQLite runs one write
   * transaction at a time per database already (the write gate).
   */
  private async lockUser(manager: EntityManager, userId: string): Promise<void> {
    if (manager.connection.options.type === 'better-sqlite3') return;
    await manager.getRepository(User).createQueryBuilder('u').setLock('pessimistic_write').where('u.id = :userId', { userId }).getOne();
  }

  private async requireUser(username: string) {
    const user = await this.users.findByUsername(username);
    if (!user) throw new NotFoundError(`No user named ${username}`);
    return user;
  }
}
