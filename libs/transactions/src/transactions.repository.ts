import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, InsertQueryBuilder, Repository, SelectQueryBuilder } from 'typeorm';
import { normaliseDecimal } from '@app/core';
import { FINANCE_DB } from '@app/database';
import { ListTransactionsQuery, TransactionSort } from './dto/list-transactions.query';
import { AMOUNT_SCALE, Transaction } from './entities/transaction.entity';

const SORT_COLUMNS: Record<TransactionSort, string> = {
  occurred_at: 't.occurredAt',
  amount: 't.amount',
  created_at: 't.createdAt',
  category: 't.category',
  currency: 't.currency',
};

const INSERT_BATCH = 500;

/** The queries of transactions that are more than one-liners; no business rules here. */
@Injectable()
export class TransactionsRepository {
  private readonly repo: Repository<Transaction>;

  constructor(@InjectDataSource(FINANCE_DB) private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(Transaction);
  }

  /** `userId` null: any owner (admin). */
  findOne(id: string, userId: string | null): Promise<Transaction | null> {
    return this.repo.findOneBy(userId === null ? { id } : { id, userId });
  }

  /** One INSERT of `rows`, to run as it is or beside its audit entries (AuditLog.inserted). */
  insertQuery(rows: Transaction[]): InsertQueryBuilder<Transaction> {
    return this.repo.createQueryBuilder().insert().into(Transaction).values(rows);
  }

  /** In batches, in the caller's transaction. */
  async insertMany(rows: Transaction[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_BATCH) await this.insertQuery(rows.slice(i, i + INSERT_BATCH)).execute();
  }

  /** Applies `changes` only if the row still has `version`; answers whether it did. */
  async updateIfVersion(id: string, version: number, changes: Partial<Transaction>): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(Transaction)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id, version })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Deletes the row if it exists (and, with `userId`, belongs to that user); answers whether it did. */
  async delete(id: string, userId: string | null): Promise<boolean> {
    const result = await this.repo.delete(userId === null ? { id } : { id, userId });
    return (result.affected ?? 0) > 0;
  }

  async list(userId: string, query: ListTransactionsQuery) {
    const page = this.filtered(userId, query)
      .orderBy(SORT_COLUMNS[query.sort_by ?? 'occurred_at'], query.sort_order === 'asc' ? 'ASC' : 'DESC')
      .addOrderBy('t.id', query.sort_order === 'asc' ? 'ASC' : 'DESC')
      .skip(query.skip ?? 0)
      .take(query.limit ?? 50);
    const [rows, total] = await page.getManyAndCount();
    return { rows, total };
  }

  /** Count and exact sum per currency, summed by the database (see sumExpression). */
  async totals(userId: string, query: ListTransactionsQuery): Promise<Array<{ currency: string; count: number; sum: string }>> {
    const raw = await this.filtered(userId, query)
      .select('t.currency', 'currency')
      .addSelect('COUNT(*)', 'count')
      .addSelect(this.sumExpression('t.amount'), 'sum')
      .groupBy('t.currency')
      .orderBy('t.currency', 'ASC')
      .getRawMany<{ currency: string; count: string | number; sum: string | number }>();
    return raw.map((r) => ({ currency: r.currency, count: Number(r.count), sum: normaliseDecimal(r.sum, AMOUNT_SCALE) }));
  }

  /**
   * The one place the dialects differ here: PostgreSQL and MySQL sum DECIMAL exactly; SQLite's SUM
   * would add floats, so it uses the exact `decimal_sum` aggregate registered on its connections.
   */
  private sumExpression(column: string): string {
    return this.dataSource.options.type === 'better-sqlite3' ? `decimal_sum(${column})` : `SUM(${column})`;
  }

  private filtered(userId: string, query: ListTransactionsQuery): SelectQueryBuilder<Transaction> {
    const qb = this.repo.createQueryBuilder('t').where('t.userId = :userId', { userId });
    if (query.from) qb.andWhere('t.occurredAt >= :from', { from: startOf(query.from) });
    if (query.to) {
      const isDate = query.to.length === 10;
      qb.andWhere(isDate ? 't.occurredAt < :to' : 't.occurredAt <= :to', { to: isDate ? nextDay(query.to) : new Date(query.to) });
    }
    if (query.category !== undefined) qb.andWhere('t.category = :category', { category: query.category });
    if (query.currency !== undefined) qb.andWhere('t.currency = :currency', { currency: query.currency });
    if (query.min_amount !== undefined) qb.andWhere('t.amount >= :min', { min: query.min_amount });
    if (query.max_amount !== undefined) qb.andWhere('t.amount <= :max', { max: query.max_amount });
    return qb;
  }
}

function startOf(value: string): Date {
  return value.length === 10 ? new Date(`${value}T00:00:00.000Z`) : new Date(value);
}

function nextDay(date: string): Date {
  const day = new Date(`${date}T00:00:00.000Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day;
}
