export * from './entities/subscription.entity';
export * from './subscriptions.service';
export * from './active-subscription.guard';
export * from './subscriptions.module';
