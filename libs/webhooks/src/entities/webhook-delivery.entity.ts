import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one receiver URL: the exact body every attempt sends, and how the attempts went.
 * Written in the transaction of the change it reports (a task's final state), so it is the outbox
 * the queue is fed from: a job lost with Redis or a process is queued again from here.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('ix_webhook_deliveries_due', ['status', 'nextAttemptAt'])
export class WebhookDelivery {
  /** Derived from the event and the URL, so recording the same event twice records it once. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Sent as Webhook-Id: the same for every attempt and every URL of the event. */
  @Index('ix_webhook_deliveries_event')
  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType: string;

  @Column({ type: 'varchar', length: 2000 })
  url: string;

  /** The JSON body, byte for byte what is signed and sent. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'varchar', length: 16 })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  @Index('ix_webhook_deliveries_created')
  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Column({ name: 'last_attempt_at', type: Date, precision: 3, nullable: true })
  lastAttemptAt: Date | null;

  /** When the next attempt is due (or, while one runs, when it is given up as lost); null once finished. */
  @Column({ name: 'next_attempt_at', type: Date, precision: 3, nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'delivered_at', type: Date, precision: 3, nullable: true })
  deliveredAt: Date | null;
}
