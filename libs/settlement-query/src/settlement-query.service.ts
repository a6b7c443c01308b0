import { Injectable } from '@nestjs/common';
import { AppConfigService, DomainError, FieldProblem, ValidationError } from '@app/core';
import type { SettlementColumn } from '@app/settlement-ingest';
import { SettlementQueryCache } from './cache/settlement-query.cache';
import { CursorCodec, CursorPosition } from './cursor-codec';
import type { ListSettlementQuery } from './dto/list-settlement.query';
import { COLUMN_SPECS, parseColumnValue } from './settlement-columns';
import { DEFAULT_LIMIT, DEFAULT_SORT, RECENT_COUNT, SettlementListQuery, SettlementRecordView, SortOrder } from './settlement-list-query';
import { SettlementQueryRepository } from './settlement-query.repository';

export interface SettlementPage {
  transactions: SettlementRecordView[];
  total: number;
  skip: number;
  limit: number;
  next_cursor: string | null;
}

/**
 * A page as the JSON text it is sent as (`JSON.stringify` of its SettlementPage, the bytes Fastify
 * would have written): serialised once when it is loaded and cached as text, so a cache hit sends
 * what is stored instead of serialising the same page again (a tenth of a cached read's CPU, measured).
 */
export type SettlementPageJson = string & { readonly __json: 'SettlementPage' };

/** The query of the 10 most recent records (GET / for an operator): latest TRANS_DATE, then DOC_IDT. */
const RECENT: SettlementListQuery = {
  filter: null,
  dateFrom: null,
  dateTo: null,
  sort: { column: 'TRANS_DATE', order: 'desc' },
  skip: 0,
  limit: RECENT_COUNT,
  after: null,
};

/**
 * Every decision about reading settlement records: what a request means (normalise), the cursor,
 * and what is cached. The SQL lives in the repository; HTTP in the controllers.
 */
@Injectable()
export class SettlementQueryService {
  private readonly cursors: CursorCodec;

  constructor(
    private readonly repository: SettlementQueryRepository,
    private readonly cache: SettlementQueryCache,
    config: AppConfigService,
  ) {
    this.cursors = new CursorCodec(config.get('auth').secretKey);
  }

  /** GET /api/transactions: one page, the total and the cursor of the next page, as JSON text. */
  async list(params: ListSettlementQuery): Promise<SettlementPageJson> {
    return this.read(this.normalise(params));
  }

  /** GET / for an operator (not the hot path: the cached text is parsed back). */
  async recent(): Promise<SettlementRecordView[]> {
    return (JSON.parse(await this.read(RECENT)) as SettlementPage).transactions;
  }

  /** The request in canonical form, or one 400 naming every bad parameter. */
  normalise(params: ListSettlementQuery): SettlementListQuery {
    const problems: FieldProblem[] = [];
    const problem = (field: string, text: string) => problems.push({ field, problems: [text] });

    let filter: SettlementListQuery['filter'] = null;
    if (params.filter_by !== undefined && params.filter_value === undefined) {
      problem('filter_value', 'filter_value is required with filter_by');
    } else if (params.filter_by === undefined && params.filter_value !== undefined) {
      problem('filter_by', 'filter_by is required with filter_value: name the column to filter on');
    } else if (params.filter_by !== undefined && params.filter_value !== undefined) {
      const column = params.filter_by as SettlementColumn;
      const parsed = parseColumnValue(column, params.filter_value);
      if (parsed.ok) filter = { column, value: parsed.value };
      else problem('filter_value', parsed.problem);
    }

    const dateFrom = params.date_from ?? null;
    const dateTo = params.date_to ?? null;
    if (dateFrom !== null && dateTo !== null && dateFrom > dateTo) {
      problem('date_to', 'date_to must not be before date_from');
    }

    const sort = {
      column: (params.sort_by as SettlementColumn | undefined) ?? DEFAULT_SORT.column,
      order: (params.sort_order as SortOrder | undefined) ?? DEFAULT_SORT.order,
    };
    const skip = params.skip ?? 0;
    if (params.cursor !== undefined && skip > 0) {
      problem('skip', 'skip cannot be used with cursor: the cursor already says where the page starts');
    }
    if (problems.length > 0) throw ValidationError.fields(problems);

    const query: SettlementListQuery = { filter, dateFrom, dateTo, sort, skip, limit: params.limit ?? DEFAULT_LIMIT, after: null };
    if (params.cursor !== undefined) query.after = this.position(query, params.cursor);
    return query;
  }

  private async read(query: SettlementListQuery): Promise<SettlementPageJson> {
    const version = await this.cache.version();
    // A page's miss looks its total up in the same shared-tier command (the load reads it next).
    return this.cache.read(version, pageKey(query), async () => JSON.stringify(await this.load(version, query)) as SettlementPageJson, totalKey(query));
  }

  private async load(version: string | null, query: SettlementListQuery): Promise<SettlementPage> {
    // The total does not depend on the page, so pages of one query share it (and its COUNT).
    const [rows, total] = await Promise.all([this.repository.page(query), this.cache.read(version, totalKey(query), () => this.repository.count(query))]);
    const more = rows.length > query.limit;
    const transactions = more ? rows.slice(0, query.limit) : rows;
    const last = transactions[transactions.length - 1];
    return {
      transactions,
      total,
      skip: query.skip,
      limit: query.limit,
      next_cursor: more ? this.cursors.encode(scopeOf(query), { sortValue: last[query.sort.column], docIdt: last.DOC_IDT as string }) : null,
    };
  }

  /** Decodes a cursor and checks its values as if they were filter values: signed is not enough. */
  private position(query: SettlementListQuery, cursor: string): CursorPosition {
    const position = this.cursors.decode(scopeOf(query), cursor);
    const { column } = query.sort;
    const valid =
      parseColumnValue('DOC_IDT', position.docIdt).ok &&
      (position.sortValue === null ? COLUMN_SPECS[column].nullable : matchesStoredForm(column, position.sortValue));
    if (!valid) throw cursorProblem();
    return position;
  }
}

function matchesStoredForm(column: SettlementColumn, value: string): boolean {
  const parsed = parseColumnValue(column, value);
  return parsed.ok && parsed.value === value;
}

function cursorProblem(): DomainError {
  return ValidationError.fields([{ field: 'cursor', problems: ['cursor is not a cursor this API issued'] }]);
}

/** What a cursor is bound to: the same sort, order, filter and dates. */
function scopeOf(q: SettlementListQuery): string {
  return CursorCodec.scope([q.sort.column, q.sort.order, q.filter?.column ?? null, q.filter?.value ?? null, q.dateFrom, q.dateTo]);
}

/**
 * Cache keys come from the canonical query only, so `amount`/`AMOUNT` or `100.5`/`100.50` share an entry.
 * Pages are cached as JSON text under `page.json` (objects were cached under `page`: a replica of
 * before must not hand this one an object, nor the reverse).
 */
function pageKey(q: SettlementListQuery): string {
  return JSON.stringify([
    'page.json',
    q.sort.column,
    q.sort.order,
    q.filter?.column ?? null,
    q.filter?.value ?? null,
    q.dateFrom,
    q.dateTo,
    q.skip,
    q.limit,
    q.after?.sortValue ?? null,
    q.after?.docIdt ?? null,
  ]);
}

function totalKey(q: SettlementListQuery): string {
  return JSON.stringify(['total', q.filter?.column ?? null, q.filter?.value ?? null, q.dateFrom, q.dateTo]);
}
