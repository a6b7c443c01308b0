import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FINANCE_DB } from '@app/database';
import { UsersModule } from '@app/users';
import { ActiveSubscriptionGuard } from './active-subscription.guard';
import { Subscription } from './entities/subscription.entity';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  imports: [TypeOrmModule.forFeature([Subscription], FINANCE_DB), UsersModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService, ActiveSubscriptionGuard],
  exports: [SubscriptionsService, ActiveSubscriptionGuard],
})
export class SubscriptionsModule {}
