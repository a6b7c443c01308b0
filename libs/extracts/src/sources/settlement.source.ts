import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { fromScaled, maskPan, normaliseDecimal, toScaled } from '@app/core';
import { SETTLEMENT_DB } from '@app/database';
import { CardTransaction, SETTLEMENT_AMOUNT_SCALE, SETTLEMENT_COLUMNS } from '@app/settlement-ingest';
import { neutralise } from '../csv';
import type { ExtractParams } from '../dto/generate-data.dto';
import { ExtractSql, extractSql } from '../sql/period-bucketing';
import type { DetailedQuery, ExtractSourceReader } from './extract-source';

/**
 * gross = Σ AMOUNT, fees = Σ FEE (absent = 0), net = gross − fees; refunds are the records with a
 * negative AMOUNT (§Settlement file: refunds, reversals and chargebacks carry the minus sign).
 */
export const SETTLEMENT_AGGREGATED_HEADERS = ['period_start', 'currency', 'count', 'gross', 'fees', 'net', 'refund_count', 'refund_total'];
/** The period, then the columns of §Settlement file under their file names. */
export const SETTLEMENT_DETAILED_HEADERS = ['period_start', ...SETTLEMENT_COLUMNS];

type Decimal = string | number;

export interface SettlementAggregateRow {
  period_start: string;
  currency: string;
  count: string | number;
  gross: Decimal;
  fees: Decimal;
  refund_count: string | number;
  refund_total: Decimal;
}

/** As the driver returns the detailed SELECT below; decimals are text, or numbers on SQLite. */
type DetailRow = [
  period: string,
  docIdt: string,
  transDate: string,
  transTime: string | null,
  amount: Decimal,
  currency: string,
  cardNo: string | null,
  merchantId: string | null,
  terminalId: string | null,
  mcc: string | null,
  rrn: string | null,
  authCode: string | null,
  transType: string,
  fee: Decimal | null,
  settleDate: string | null,
];

/** Settlement amounts are DECIMAL(15,2) whatever the currency (a VND file may carry cents). */
const money = (value: Decimal) => normaliseDecimal(value, SETTLEMENT_AMOUNT_SCALE);

/**
 * An aggregate row as CSV cells. The sums come exact from the database; net is their difference,
 * taken on scaled BigInts, since SQLite has no exact subtraction of two decimal_sum results.
 */
export function settlementAggregateCells(row: SettlementAggregateRow): string[] {
  const gross = money(row.gross);
  const fees = money(row.fees);
  const net = fromScaled(toScaled(gross, SETTLEMENT_AMOUNT_SCALE) - toScaled(fees, SETTLEMENT_AMOUNT_SCALE), SETTLEMENT_AMOUNT_SCALE);
  return [row.period_start, row.currency, String(row.count), gross, fees, net, String(row.refund_count), money(row.refund_total)];
}

/** A detailed row as CSV cells: amounts exact, text neutralised (CSV injection), empty for null. */
export function settlementDetailedCells(row: unknown[]): string[] {
  const [period, docIdt, transDate, transTime, amount, currency, cardNo, merchantId, terminalId, mcc, rrn, authCode, transType, fee, settleDate] =
    row as DetailRow;
  return [
    period,
    neutralise(docIdt),
    transDate,
    transTime ?? '',
    money(amount),
    neutralise(currency),
    // Stored masked already; masking again costs little and keeps a stray full PAN out of files.
    neutralise(cardNo === null ? null : maskPan(cardNo)),
    neutralise(merchantId),
    neutralise(terminalId),
    neutralise(mcc),
    neutralise(rrn),
    neutralise(authCode),
    neutralise(transType),
    fee === null ? '' : money(fee),
    settleDate ?? '',
  ];
}

/**
 * `source: settlement` (operators): every card settlement record, by TRANS_DATE (a calendar DATE,
 * both ends of the period included), read from the settlement data source with its own dialect.
 */
@Injectable()
export class SettlementExtractSource implements ExtractSourceReader {
  readonly sql: ExtractSql;
  readonly aggregatedHeaders = SETTLEMENT_AGGREGATED_HEADERS;
  readonly detailedHeaders = SETTLEMENT_DETAILED_HEADERS;

  constructor(@InjectDataSource(SETTLEMENT_DB) readonly dataSource: DataSource) {
    this.sql = extractSql(dataSource.options.type);
  }

  async aggregate(_ownerId: string, params: ExtractParams): Promise<string[][]> {
    const period = this.sql.periodStart('c.trans_date', params.aggregation, 'date');
    const rows = await this.inPeriod(params)
      .select(period, 'period_start')
      .addSelect('c.currency', 'currency')
      .addSelect('COUNT(*)', 'count')
      .addSelect(this.sql.sum('c.amount'), 'gross')
      .addSelect(this.sql.sum('COALESCE(c.fee, 0)'), 'fees')
      .addSelect('COUNT(CASE WHEN c.amount < 0 THEN 1 END)', 'refund_count')
      .addSelect(this.sql.sum('CASE WHEN c.amount < 0 THEN c.amount ELSE 0 END'), 'refund_total')
      .groupBy(period)
      .addGroupBy('c.currency')
      .orderBy('period_start', 'ASC')
      .addOrderBy('currency', 'ASC')
      .getRawMany<SettlementAggregateRow>();
    return rows.map(settlementAggregateCells);
  }

  count(_ownerId: string, params: ExtractParams): Promise<number> {
    return this.inPeriod(params).getCount();
  }

  detailedQuery(_ownerId: string, params: ExtractParams): DetailedQuery {
    const sql = this.sql;
    return {
      // Ordered like ix_card_tx_trans_date (trans_date, doc_idt), so the rows stream off the index.
      sql:
        `SELECT ${sql.periodStart('c.trans_date', params.aggregation, 'date')}, c.doc_idt, ${sql.dateText('c.trans_date')}, ` +
        `c.trans_time, ${sql.decimalText('c.amount')}, c.currency, c.card_no, c.merchant_id, c.terminal_id, c.mcc, c.rrn, ` +
        `c.auth_code, c.trans_type, ${sql.decimalText('c.fee')}, ${sql.dateText('c.settle_date')} ` +
        'FROM card_transactions c WHERE c.trans_date >= ? AND c.trans_date <= ? ORDER BY c.trans_date, c.doc_idt',
      params: [params.start, params.end],
    };
  }

  detailedRow(row: unknown[]): string[] {
    return settlementDetailedCells(row);
  }

  /** TRANS_DATE is a DATE: the YYYY-MM-DD bounds compare as dates on every dialect (text on SQLite). */
  private inPeriod(params: ExtractParams) {
    return this.dataSource
      .createQueryBuilder()
      .from(CardTransaction, 'c')
      .where('c.trans_date >= :start AND c.trans_date <= :end', { start: params.start, end: params.end });
  }
}
