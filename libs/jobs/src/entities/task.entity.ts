import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TaskState } from '../jobs.constants';

/**
 * A background job as its owner sees it. Lives in the finance database, not in Redis, so
 * /task-status answers even after a Redis flush and every state change is durable.
 */
@Entity({ name: 'tasks' })
@Index('ix_tasks_owner', ['ownerId'])
export class Task {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 36 })
  ownerId: string;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'simple-json' })
  params: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  state: TaskState;

  @Column({ name: 'progress_done', type: 'integer', default: 0 })
  progressDone: number;

  @Column({ name: 'progress_total', type: 'integer', default: 0 })
  progressTotal: number;

  @Column({ type: 'simple-json', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /**
   * 1 when created, one more at every change: the id of its events (GET /task-status/{id}/events),
   * so a client's Last-Event-ID says which state it has seen.
   */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Column({ name: 'started_at', type: Date, precision: 3, nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: Date, precision: 3, nullable: true })
  finishedAt: Date | null;
}
