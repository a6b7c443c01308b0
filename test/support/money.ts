import { TransactionsService } from '@app/transactions';
import type { TestApp } from './test-app';
import type { CreatedUser } from './factories';

/** A small deterministic PRNG (mulberry32), so a failing sum can be reproduced. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALE: Record<string, number> = { USD: 2, JPY: 0, BHD: 3 };

/** A random amount string with the currency's decimals, between ±10^9, about a third negative. */
export function randomAmount(random: () => number, currency: keyof typeof SCALE): string {
  const scale = SCALE[currency];
  const units = BigInt(Math.floor(random() * 10 ** 9)) * 10n ** BigInt(scale) + BigInt(Math.floor(random() * 10 ** scale));
  const signed = random() < 0.33 ? -units : units;
  const text = (signed < 0n ? -signed : signed).toString().padStart(scale + 1, '0');
  const body = scale > 0 ? `${text.slice(0, -scale)}.${text.slice(-scale)}` : text;
  return `${signed < 0n ? '-' : ''}${body}`;
}

/**
 * Creates `count` transactions for `user` through the service, then asks GET /transactions for the
 * per-currency sums the database computes. Answers both, expected (exact BigInt sums) and actual.
 */
export async function sumThroughServiceAndDatabase(t: TestApp, user: CreatedUser, count: number, seed = 42) {
  const random = prng(seed);
  const currencies = ['USD', 'JPY', 'BHD'] as const;
  const expected: Record<string, bigint> = { USD: 0n, JPY: 0n, BHD: 0n };
  const dtos = Array.from({ length: count }, (_, i) => {
    const currency = currencies[i % currencies.length];
    const amount = randomAmount(random, currency);
    expected[currency] += BigInt(amount.replace('.', ''));
    return { amount, currency, occurred_at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString() };
  });
  const service = t.app.get(TransactionsService);
  const actor = { id: user.id, username: user.username, role: 'user' as const };
  for (let i = 0; i < dtos.length; i += 10_000) await service.createMany(actor, dtos.slice(i, i + 10_000));

  const res = await t.http().get('/transactions?limit=1').auth(user.token, { type: 'bearer' }).expect(200);
  const actual = Object.fromEntries((res.body.totals as Array<{ currency: string; sum: string; count: number }>).map((r) => [r.currency, r]));
  const format = (currency: string) => {
    const scale = SCALE[currency];
    const value = expected[currency];
    const digits = (value < 0n ? -value : value).toString().padStart(scale + 1, '0');
    return `${value < 0n ? '-' : ''}${scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
  };
  return {
    expected: currencies.map((c) => ({ currency: c, sum: format(c) })),
    actual: currencies.map((c) => ({ currency: c, sum: actual[c]?.sum })),
    total: res.body.total as number,
  };
}
