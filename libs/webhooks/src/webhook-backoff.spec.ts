import { WEBHOOK_DELIVERY } from '@app/jobs';
import { nextAttemptAt } from './webhook-backoff';

const CREATED = new Date('2026-01-01T00:00:00Z');
const noJitter = () => 0;

describe('nextAttemptAt', () => {
  it('doubles the wait from 2 s after each failure, up to an hour', () => {
    const waits = [1, 2, 3, 4, 11, 12, 13, 40].map((attempt) => nextAttemptAt(CREATED, attempt, CREATED, noJitter)!.getTime() - CREATED.getTime());
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 2_048_000, 3_600_000, 3_600_000, 3_600_000]);
  });

  it('adds at most 10% so senders spread out', () => {
    const wait = nextAttemptAt(CREATED, 3, CREATED, () => 0.999)!.getTime() - CREATED.getTime();
    expect(wait).toBeGreaterThan(8_000);
    expect(wait).toBeLessThanOrEqual(8_800);
  });

  it('gives up once the next attempt would start more than 24 h after the event', () => {
    const late = new Date(CREATED.getTime() + WEBHOOK_DELIVERY.windowMs - 3_599_000);
    expect(nextAttemptAt(CREATED, 20, late, noJitter)).toBeNull();
    const earlier = new Date(late.getTime() - 2_000);
    expect(nextAttemptAt(CREATED, 20, earlier, noJitter)).not.toBeNull();
  });

  it('makes about 34 attempts in the 24 h when the receiver never answers 2xx', () => {
    let now = CREATED;
    let attempts = 1;
    for (let next = nextAttemptAt(CREATED, 1, now, noJitter); next; next = nextAttemptAt(CREATED, attempts, now, noJitter)) {
      now = next;
      attempts += 1;
    }
    expect(attempts).toBe(34);
    expect((now.getTime() - CREATED.getTime()) / 3_600_000).toBeCloseTo(23.1, 1);
  });
});
