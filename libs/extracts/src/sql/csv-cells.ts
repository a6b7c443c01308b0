import { CURRENCY_MINOR_UNITS } from '@app/core';

/**
 * Cells of a detailed extract computed by the database, for a dialect that writes the CSV itself
 * (PostgreSQL's COPY … TO STDOUT (FORMAT csv)). Each expression gives exactly the text that the
 * JavaScript path writes for the same value (neutralise, normaliseDecimal, csvCell), so an extract
 * has the same bytes whichever way it was written.
 */
export interface CsvCellsSql {
  /** A text cell, neutralised like neutralise(); null and '' both give an empty, unquoted cell. */
  text(column: string): string;
  /**
   * An amount with exactly the minor units of its currency, like normaliseDecimal(): the query
   * fails, rather than round, on an amount with more decimals than its currency allows (or an
   * unknown currency).
   */
  money(amount: string, currency: string): string;
}

/** The codes with `units` minor units, as an SQL list ('BIF', 'CLP', …). */
function codesWith(units: number): string {
  return Object.entries(CURRENCY_MINOR_UNITS)
    .filter(([, u]) => u === units)
    .map(([code]) => `'${code}'`)
    .join(', ');
}

/** A currency code's minor units; null for an unknown code. Long IN lists are hashed by PostgreSQL (14+). */
function minorUnitsSql(currency: string): string {
  const units = [...new Set(Object.values(CURRENCY_MINOR_UNITS))].sort((a, b) => (a === 2 ? -1 : b === 2 ? 1 : a - b));
  return `CASE ${units.map((u) => `WHEN ${currency} IN (${codesWith(u)}) THEN ${u}`).join(' ')} END`;
}

export const postgresCsvCells: CsvCellsSql = {
  // ascii() reads the first character without building a string: = + - @ tab CR.
  text: (column) => `CASE WHEN ascii(${column}) IN (61, 43, 45, 64, 9, 13) THEN '''' || ${column} ELSE NULLIF(${column}, '') END`,
  // round() to the currency's units only ever drops zeros here; when it would change the value (or
  // the currency is unknown), casting the explanation to numeric fails the statement with it.
  money: (amount, currency) => {
    const rounded = `round(${amount}, ${minorUnitsSql(currency)})`;
    return (
      `CASE WHEN ${rounded} = ${amount} THEN ${rounded}::text ` +
      `ELSE ('amount ' || ${amount} || ' ' || ${currency} || ' has more decimals than the currency allows')::numeric::text END`
    );
  },
};
