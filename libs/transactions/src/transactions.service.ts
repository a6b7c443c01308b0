import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthUser, hasRole } from '@app/access';
import { AuditLog, changedFields } from '@app/audit';
import { ConflictError, NotFoundError, ValidationError, minorUnits, normaliseDecimal } from '@app/core';
import { CreateTransactionDto, DeleteTransactionDto, UpdateTransactionDto } from './dto/transaction.dto';
import { ListTransactionsQuery } from './dto/list-transactions.query';
import { AMOUNT_SCALE, Transaction } from './entities/transaction.entity';
import { TransactionsRepository } from './transactions.repository';

const UPDATABLE = ['amount', 'currency', 'description', 'category', 'occurred_at'] as const;

@Injectable()
export class TransactionsService {
  constructor(
    private readonly transactions: TransactionsRepository,
    private readonly audit: AuditLog,
  ) {}

  async create(actor: AuthUser, dto: CreateTransactionDto): Promise<Transaction> {
    const [row] = await this.createMany(actor, [dto]);
    return row;
  }

  /** Validated like single creates, inserted in one database transaction (seeding, imports, tests). */
  async createMany(actor: AuthUser, dtos: CreateTransactionDto[]): Promise<Transaction[]> {
    const now = new Date();
    const rows = dtos.map((dto) => {
      checkScale(dto.amount, dto.currency);
      return Object.assign(new Transaction(), {
        id: randomUUID(),
        userId: actor.id,
        amount: normaliseDecimal(dto.amount, AMOUNT_SCALE),
        currency: dto.currency,
        description: dto.description ?? null,
        category: dto.category ?? null,
        occurredAt: new Date(dto.occurred_at),
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
    });
    const audit = rows.map((row) => ({ actor, action: 'transaction.create', subjectType: 'transaction', subjectId: row.id, after: auditView(row) }));
    // The route's one create is one INSERT with its entry; bulk creates (the CLI's seed) insert in batches.
    if (rows.length === 1) {
      await this.audit.inserted(this.transactions.insertQuery(rows), audit);
      return rows;
    }
    return this.audit.recorded(async () => {
      await this.transactions.insertMany(rows);
      return { result: rows, audit };
    });
  }

  /**
   * Applies the sent fields if the row is still at the version the caller read (or, without one, the
   * version this request read), so two concurrent updates never silently overwrite each other.
   */
  async update(actor: AuthUser, dto: UpdateTransactionDto): Promise<Transaction> {
    if (!UPDATABLE.some((field) => dto[field] !== undefined)) {
      throw ValidationError.fields([{ field: 'body', problems: [`send at least one of ${UPDATABLE.join(', ')}`] }]);
    }
    const current = await this.owned(actor, dto.id);
    const expected = dto.version ?? current.version;
    checkScale(dto.amount ?? current.amount, dto.currency ?? current.currency);

    const changes: Partial<Transaction> = { updatedAt: new Date() };
    if (dto.amount !== undefined) changes.amount = normaliseDecimal(dto.amount, AMOUNT_SCALE);
    if (dto.currency !== undefined) changes.currency = dto.currency;
    if (dto.description !== undefined) changes.description = dto.description;
    if (dto.category !== undefined) changes.category = dto.category;
    if (dto.occurred_at !== undefined) changes.occurredAt = new Date(dto.occurred_at);

    return this.audit.recorded(async () => {
      if (!(await this.transactions.updateIfVersion(current.id, expected, changes))) {
        const now = await this.transactions.findOne(current.id, null);
        if (!now) throw new NotFoundError('No such transaction');
        throw new ConflictError(`The transaction changed meanwhile (now version ${now.version}); read it again and retry`);
      }
      const updated = (await this.transactions.findOne(current.id, null))!;
      // The version this update moved from, so `before` is what it replaced even when `current` was read earlier.
      const replaced = Object.assign(new Transaction(), current, { version: expected });
      return {
        result: updated,
        audit: {
          actor,
          action: 'transaction.update',
          subjectType: 'transaction',
          subjectId: updated.id,
          ...changedFields(auditView(replaced), auditView(updated)),
        },
      };
    });
  }

  /** Decided by the rows the DELETE itself removed: of concurrent deletes of one row, one answers 200. */
  async delete(actor: AuthUser, dto: DeleteTransactionDto): Promise<void> {
    await this.audit.recorded(async () => {
      const row = await this.transactions.findOne(dto.id, ownerFilter(actor));
      if (!row || !(await this.transactions.delete(dto.id, ownerFilter(actor)))) throw new NotFoundError('No such transaction');
      return { result: undefined, audit: { actor, action: 'transaction.delete', subjectType: 'transaction', subjectId: row.id, before: auditView(row) } };
    });
  }

  async list(actor: AuthUser, query: ListTransactionsQuery) {
    const [{ rows, total }, totals] = await Promise.all([this.transactions.list(actor.id, query), this.transactions.totals(actor.id, query)]);
    return { rows, total, totals };
  }

  /** Someone else's transaction answers exactly like a missing one. Admins reach every one. */
  private async owned(actor: AuthUser, id: string): Promise<Transaction> {
    const row = await this.transactions.findOne(id, ownerFilter(actor));
    if (!row) throw new NotFoundError('No such transaction');
    return row;
  }
}

/** What the audit trail keeps of a transaction: its business fields, the amount as a decimal string. */
function auditView(row: Transaction): Record<string, unknown> {
  return {
    user_id: row.userId,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    category: row.category,
    occurred_at: row.occurredAt.toISOString(),
    version: row.version,
  };
}

/** Whose rows `actor` reaches: null (any owner) for admins. */
function ownerFilter(actor: AuthUser): string | null {
  return hasRole(actor, 'admin') ? null : actor.id;
}

function checkScale(amount: string, currency: string): void {
  const allowed = minorUnits(currency);
  const decimals = (amount.split('.')[1] ?? '').replace(/0+$/, '').length;
  if (decimals > allowed) {
    throw ValidationError.fields([{ field: 'amount', problems: [`amount has more decimals than ${currency} allows (${allowed})`] }]);
  }
}
