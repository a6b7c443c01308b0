import { Subscription } from './subscription.entity';

const at = (iso: string) => new Date(iso);

function subscription(fields: Partial<Subscription>): Subscription {
  return Object.assign(new Subscription(), {
    startsAt: at('2026-01-01T00:00:00Z'),
    expiresAt: at('2026-02-01T00:00:00Z'),
    endedAt: null,
    ...fields,
  });
}

describe('Subscription.isActive', () => {
  it('is active from its start up to (not including) its expiry', () => {
    const s = subscription({});
    expect(s.isActive(at('2026-01-01T00:00:00Z'))).toBe(true);
    expect(s.isActive(at('2026-01-31T23:59:59Z'))).toBe(true);
    expect(s.isActive(at('2026-02-01T00:00:00Z'))).toBe(false);
    expect(s.isActive(at('2025-12-31T23:59:59Z'))).toBe(false);
  });

  it('is not active once ended', () => {
    expect(subscription({ endedAt: at('2026-01-05T00:00:00Z') }).isActive(at('2026-01-10T00:00:00Z'))).toBe(false);
  });
});
