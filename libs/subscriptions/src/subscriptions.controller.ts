import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, RequireRole } from '@app/access';
import { ApiErrors, BEARER_SCHEME, NotFoundError } from '@app/core';
import { Idempotent } from '@app/idempotency';
import { UserResponse, UsersService } from '@app/users';
import { GrantSubscriptionDto, RevokeSubscriptionDto, SubscriptionResponse } from './dto/subscription.dto';
import { SubscriptionsService } from './subscriptions.service';

class MeResponse extends UserResponse {
  @ApiPropertyOptional({ type: SubscriptionResponse, nullable: true, description: 'The current grant, if any' })
  subscription: SubscriptionResponse | null;

  @ApiProperty({ type: [SubscriptionResponse], description: 'Every grant, newest first' })
  subscription_history: SubscriptionResponse[];
}

// Tags per route: /users/me belongs under users only, and a class tag would add itself to it.
@ApiBearerAuth(BEARER_SCHEME)
@Controller()
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly users: UsersService,
  ) {}

  @Post('grant-subscription')
  @Idempotent({ atomic: true })
  @HttpCode(HttpStatus.OK)
  @RequireRole('admin')
  @ApiTags('subscriptions')
  // `days` and `expires_at` exclude each other: one example for each.
  @ApiBody({
    type: GrantSubscriptionDto,
    examples: {
      days: { summary: '30 days from now', value: { username: 'alice', plan: 'standard', days: 30 } },
      expires_at: { summary: 'Until a given instant', value: { username: 'alice', plan: 'standard', expires_at: '2099-12-31T23:59:59Z' } },
    },
  })
  @ApiOperation({ summary: 'Grant (or replace) a subscription: `days` from now or until `expires_at` (default 30 days)' })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiErrors(400, 401, 403, 404)
  async grant(@CurrentUser() actor: AuthUser, @Body() dto: GrantSubscriptionDto): Promise<SubscriptionResponse> {
    const { username, subscription } = await this.subscriptions.grant(actor, dto);
    return SubscriptionResponse.from(username, subscription);
  }

  @Post('revoke-subscription')
  @Idempotent({ atomic: true })
  @HttpCode(HttpStatus.OK)
  @RequireRole('admin')
  @ApiTags('subscriptions')
  @ApiOperation({ summary: 'Revoke the active subscription of a user at once' })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  async revoke(@CurrentUser() actor: AuthUser, @Body() dto: RevokeSubscriptionDto): Promise<SubscriptionResponse> {
    const { username, subscription } = await this.subscriptions.revoke(actor, dto.username);
    return SubscriptionResponse.from(username, subscription);
  }

  /** Lives here rather than in users because it shows the subscription, which users cannot know. */
  @Get('users/me')
  @ApiTags('users')
  @ApiOperation({ summary: 'The caller: profile, role, current subscription and its history' })
  @ApiOkResponse({ type: MeResponse })
  @ApiErrors(401)
  async me(@CurrentUser() actor: AuthUser): Promise<MeResponse> {
    const user = await this.users.findById(actor.id);
    if (!user) throw new NotFoundError('No such user');
    const history = await this.subscriptions.history(user.id);
    const current = history.find((s) => s.endedAt === null) ?? null;
    return {
      ...UserResponse.from(user),
      subscription: current && SubscriptionResponse.from(user.username, current),
      subscription_history: history.map((s) => SubscriptionResponse.from(user.username, s)),
    };
  }
}
