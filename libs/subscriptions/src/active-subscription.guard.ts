import { CanActivate, ExecutionContext, Injectable, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { AuthUser, hasRole } from '@app/access';
import { ForbiddenError } from '@app/core';
import { SubscriptionsService } from './subscriptions.service';

/** A `user` needs an active subscription; operators and admins act for the business and need none. */
@Injectable()
export class ActiveSubscriptionGuard implements CanActivate {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const user = context.switchToHttp().getRequest().user as AuthUser;
    if (hasRole(user, 'operator')) return true;
    if (await this.subscriptions.isActive(user.id)) return true;
    throw new ForbiddenError('An active subscription is needed for this; ask an admin to grant one');
  }
}

/** Marks a route as needing an active subscription (for role `user`). */
export const RequireSubscription = () =>
  applyDecorators(UseGuards(ActiveSubscriptionGuard), ApiForbiddenResponse({ description: 'No active subscription (role user)' }));
