import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, In, LessThan, LessThanOrEqual, Repository } from 'typeorm';
import { FINANCE_DB, isUniqueViolation } from '@app/database';
import { WebhookDelivery } from './entities/webhook-delivery.entity';

export interface DeliveryFilter {
  status?: WebhookDelivery['status'];
  eventType?: string;
  eventId?: string;
}

/** The deliveries table: every state change is one conditional statement, so concurrent runners cannot both win. */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectRepository(WebhookDelivery, FINANCE_DB) private readonly deliveries: Repository<WebhookDelivery>) {}

  /**
   * Inserts the delivery unless it is already recorded (the same event reported again); joins the
   * caller's transaction, in a savepoint so a duplicate does not abort it (PostgreSQL would).
   */
  async insertOnce(delivery: WebhookDelivery): Promise<boolean> {
    try {
      await this.deliveries.manager.transaction((manager) => manager.insert(WebhookDelivery, delivery));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * Takes attempt `attempt` of a pending delivery: only if no other runner took it (attempts is
   * still one less), leased until `leaseUntil` so a runner that dies leaves it to the sweep.
   */
  async claim(id: string, attempt: number, now: Date, leaseUntil: Date): Promise<WebhookDelivery | null> {
    const result = await this.deliveries.update(
      { id, status: 'pending', attempts: attempt - 1 },
      { attempts: attempt, lastAttemptAt: now, nextAttemptAt: leaseUntil },
    );
    return result.affected ? this.deliveries.findOneBy({ id }) : null;
  }

  /** The outcome of attempt `attempt`, unless another runner has moved on since. */
  async settle(
    id: string,
    attempt: number,
    outcome: Partial<Pick<WebhookDelivery, 'status' | 'lastStatusCode' | 'lastError' | 'nextAttemptAt' | 'deliveredAt'>>,
  ): Promise<void> {
    await this.deliveries.update({ id, status: 'pending', attempts: attempt }, outcome);
  }

  /** Pending deliveries whose next attempt was due before `before`: their job was lost, or their runner died. */
  due(before: Date, limit: number): Promise<Array<Pick<WebhookDelivery, 'id' | 'attempts'>>> {
    return this.deliveries.find({
      select: { id: true, attempts: true },
      where: { status: 'pending', nextAttemptAt: LessThanOrEqual(before) },
      order: { nextAttemptAt: 'ASC' },
      take: limit,
    });
  }

  /** Deletes up to `limit` finished deliveries made before `before`; answers how many went. */
  async purge(before: Date, limit: number): Promise<number> {
    const old = await this.deliveries.find({
      select: { id: true },
      where: { status: In(['delivered', 'failed']), createdAt: LessThan(before) },
      take: limit,
    });
    if (old.length > 0) await this.deliveries.delete({ id: In(old.map((row) => row.id)) });
    return old.length;
  }

  list(filter: DeliveryFilter, skip: number, take: number): Promise<[WebhookDelivery[], number]> {
    const where: FindOptionsWhere<WebhookDelivery> = {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.eventType ? { eventType: filter.eventType } : {}),
      ...(filter.eventId ? { eventId: filter.eventId } : {}),
    };
    return this.deliveries.findAndCount({ where, order: { createdAt: 'DESC', id: 'ASC' }, skip, take });
  }
}
