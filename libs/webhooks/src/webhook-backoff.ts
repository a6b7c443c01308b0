import { WEBHOOK_DELIVERY } from '@app/jobs';

/**
 * When the attempt after failed attempt `attempt` (1, 2, …) is due: the wait doubles from
 * firstRetryMs up to maxRetryMs, plus up to 10% so receivers coming back are not hit by every
 * sender in the same second; null once that would start past the 24 h window after the event.
 */
export function nextAttemptAt(createdAt: Date, attempt: number, now: Date, random: () => number = Math.random): Date | null {
  const base = Math.min(WEBHOOK_DELIVERY.firstRetryMs * 2 ** Math.min(attempt - 1, 30), WEBHOOK_DELIVERY.maxRetryMs);
  const due = new Date(now.getTime() + Math.round(base * (1 + random() * 0.1)));
  return due.getTime() - createdAt.getTime() > WEBHOOK_DELIVERY.windowMs ? null : due;
}
