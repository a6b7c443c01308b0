export * from './entities/webhook-delivery.entity';
export * from './webhooks.module';
export * from './webhook-events';
export * from './webhook-signature';
export * from './task-finished-webhooks';
export * from './webhook-sweeper';
