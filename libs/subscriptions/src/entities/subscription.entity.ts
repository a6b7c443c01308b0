import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type SubscriptionEnd = 'revoked' | 'superseded';

/**
 * One grant. Rows are never deleted: a revocation or a newer grant ends a row, so the table is the
 * history of grants and revocations. At most one row per user is open (not ended) at a time.
 */
@Entity({ name: 'subscriptions' })
@Index('ix_subscriptions_user', ['userId'])
export class Subscription {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  plan: string;

  @Column({ name: 'starts_at', type: Date })
  startsAt: Date;

  @Column({ name: 'expires_at', type: Date })
  expiresAt: Date;

  @Column({ name: 'granted_by', type: 'varchar', length: 36 })
  grantedBy: string;

  @Column({ name: 'ended_at', type: Date, nullable: true })
  endedAt: Date | null;

  @Column({ name: 'ended_by', type: 'varchar', length: 36, nullable: true })
  endedBy: string | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 16, nullable: true })
  endReason: SubscriptionEnd | null;

  isActive(now = new Date()): boolean {
    return this.endedAt === null && this.startsAt <= now && now < this.expiresAt;
  }
}
