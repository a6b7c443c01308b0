import type { ExecutionContext } from '@nestjs/common';
import { ForbiddenError } from '@app/core';
import { ActiveSubscriptionGuard } from './active-subscription.guard';
import type { SubscriptionsService } from './subscriptions.service';

const contextFor = (user: object) => ({ switchToHttp: () => ({ getRequest: () => ({ user }) }) }) as unknown as ExecutionContext;

function guardWith(active: boolean) {
  const isActive = jest.fn(async () => active);
  return { guard: new ActiveSubscriptionGuard({ isActive } as unknown as SubscriptionsService), isActive };
}

describe('ActiveSubscriptionGuard', () => {
  it('lets a user with an active subscription through', async () => {
    const { guard, isActive } = guardWith(true);
    await expect(guard.canActivate(contextFor({ id: 'u1', role: 'user' }))).resolves.toBe(true);
    expect(isActive).toHaveBeenCalledWith('u1');
  });

  it('refuses a user without one with 403 saying a subscription is needed', async () => {
    const { guard } = guardWith(false);
    const refusal = guard.canActivate(contextFor({ id: 'u1', role: 'user' }));
    await expect(refusal).rejects.toBeInstanceOf(ForbiddenError);
    await expect(refusal).rejects.toThrow(/active subscription is needed/);
  });

  it.each(['operator', 'admin'])('lets an %s through without a subscription', async (role) => {
    const { guard, isActive } = guardWith(false);
    await expect(guard.canActivate(contextFor({ id: 'u2', role }))).resolves.toBe(true);
    expect(isActive).not.toHaveBeenCalled();
  });
});
