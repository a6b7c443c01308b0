import { CreateUsers1764000000000 } from './1764000000000-create-users';
import { CreateSubscriptions1764000000002 } from './1764000000002-create-subscriptions';
import { CreateTransactions1764000000003 } from './1764000000003-create-transactions';
import { CreateTasks1764000000004 } from './1764000000004-create-tasks';
import { CreateIdempotencyKeys1764000000005 } from './1764000000005-create-idempotency-keys';
import { CreateAudit1764000000006 } from './1764000000006-create-audit';
import { AddTaskVersion1764000000007 } from './1764000000007-add-task-version';
import { CreateWebhookDeliveries1764000000008 } from './1764000000008-create-webhook-deliveries';
import { CreateAuditPending1764000000009 } from './1764000000009-create-audit-pending';

/** In order. A new migration is appended here; the drift test fails until it is. */
export const FINANCE_MIGRATIONS = [
  CreateUsers1764000000000,
  CreateSubscriptions1764000000002,
  CreateTransactions1764000000003,
  CreateTasks1764000000004,
  CreateIdempotencyKeys1764000000005,
  CreateAudit1764000000006,
  AddTaskVersion1764000000007,
  CreateWebhookDeliveries1764000000008,
  CreateAuditPending1764000000009,
];
