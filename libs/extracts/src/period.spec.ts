import { ValidationError } from '@app/core';
import { endExclusive, resolvePeriod } from './period';

const today = new Date('2026-11-23T15:00:00Z');

describe('resolvePeriod', () => {
  it('takes start_date..end_date inclusive', () => {
    expect(resolvePeriod({ start_date: '2026-01-01', end_date: '2026-01-31' }, today)).toEqual({ start: '2026-01-01', end: '2026-01-31' });
  });

  it('takes the last N days up to today (UTC), today included', () => {
    expect(resolvePeriod({ days_before: 1 }, today)).toEqual({ start: '2026-11-23', end: '2026-11-23' });
    expect(resolvePeriod({ days_before: 7 }, today)).toEqual({ start: '2026-11-17', end: '2026-11-23' });
  });

  it.each([
    [{ start_date: '2026-01-01', end_date: '2026-01-31', days_before: 3 }, 'period'],
    [{}, 'period'],
    [{ end_date: '2026-01-31' }, 'start_date'],
    [{ start_date: '2026-02-01', end_date: '2026-01-31' }, 'end_date'],
    [{ start_date: '2000-01-01', end_date: '2050-01-01' }, 'end_date'],
  ])('refuses %j naming %s', (request, field) => {
    let error: unknown;
    try {
      resolvePeriod(request, today);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([expect.objectContaining({ field })]);
  });

  it('allows a one-day period and exactly the longest one', () => {
    expect(resolvePeriod({ start_date: '2026-05-05', end_date: '2026-05-05' }, today).start).toBe('2026-05-05');
    expect(() => resolvePeriod({ start_date: '2016-01-01', end_date: '2026-01-07' }, today)).not.toThrow();
    expect(() => resolvePeriod({ start_date: '2016-01-01', end_date: '2026-01-08' }, today)).toThrow(ValidationError);
  });

  it('ends the period at the start of the following day', () => {
    expect(endExclusive({ start: '2024-02-28', end: '2024-02-29' }).toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });
});
