import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'running' | 'done';

/**
 * One Idempotency-Key of one caller (§HTTP): the fingerprint of the request that first used it and,
 * once it answered 2xx, the status and body every retry replays. Kept 24 hours.
 */
@Entity({ name: 'idempotency_keys' })
@Index('ix_idempotency_keys_expires', ['expiresAt'])
export class IdempotencyKey {
  @PrimaryColumn({ name: 'caller_id', type: 'varchar', length: 36 })
  callerId: string;

  @PrimaryColumn({ name: 'idem_key', type: 'varchar', length: 255 })
  key: string;

  /** sha256 hex of the canonical request (route, query, body, uploaded file). */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 8 })
  state: IdempotencyState;

  @Column({ type: 'integer', nullable: true })
  status: number | null;

  /** The answer's JSON, as sent. */
  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: Date, precision: 3 })
  expiresAt: Date;
}
