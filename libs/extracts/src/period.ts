import { ValidationError, isCalendarDate } from '@app/core';

export const AGGREGATIONS = ['day', 'week', 'month', 'year'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Longest period one extract may cover. */
export const MAX_PERIOD_DAYS = 3660;
const DAY_MS = 86_400_000;

export interface Period {
  /** First day, inclusive, YYYY-MM-DD (UTC). */
  start: string;
  /** Last day, inclusive, YYYY-MM-DD (UTC). */
  end: string;
}

export interface PeriodRequest {
  start_date?: string;
  end_date?: string;
  days_before?: number;
}

/**
 * §Extracts: `start_date`..`end_date` inclusive, or the last `days_before` days up to today (UTC);
 * exactly one of the two forms.
 */
export function resolvePeriod(request: PeriodRequest, today: Date = new Date()): Period {
  // null counts as absent, like a missing field.
  const hasRange = request.start_date != null || request.end_date != null;
  const hasDays = request.days_before != null;
  if (hasRange === hasDays) {
    throw ValidationError.fields([{ field: 'period', problems: ['send either start_date and end_date, or days_before (exactly one of the two forms)'] }]);
  }
  if (hasDays) {
    const end = today.toISOString().slice(0, 10);
    const start = new Date(Date.parse(end) - (request.days_before! - 1) * DAY_MS).toISOString().slice(0, 10);
    return { start, end };
  }
  const problems = [];
  for (const field of ['start_date', 'end_date'] as const) {
    const value = request[field];
    if (value == null) problems.push({ field, problems: [`${field} is needed with the other date`] });
  }
  if (problems.length > 0) throw ValidationError.fields(problems);
  const { start_date: start, end_date: end } = request as Required<PeriodRequest>;
  if (start > end) throw ValidationError.fields([{ field: 'end_date', problems: ['end_date must not be before start_date'] }]);
  const days = (Date.parse(end) - Date.parse(start)) / DAY_MS + 1;
  if (days > MAX_PERIOD_DAYS) {
    throw ValidationError.fields([{ field: 'end_date', problems: [`the period may cover at most ${MAX_PERIOD_DAYS} days (got ${days})`] }]);
  }
  return { start, end };
}

export { isCalendarDate };

/** The instant after the last day of the period: rows are selected with `< endExclusive`. */
export function endExclusive(period: Period): Date {
  return new Date(Date.parse(period.end) + DAY_MS);
}
