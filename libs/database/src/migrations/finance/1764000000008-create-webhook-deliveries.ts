import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

/** §Events: one row per event and receiver URL, holding the exact body sent and how its attempts went. */
export class CreateWebhookDeliveries1764000000008 implements MigrationInterface {
  name = 'CreateWebhookDeliveries1764000000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          t.id(),
          t.ref('event_id'),
          t.text('event_type', 64),
          t.text('url', 2000),
          { name: 'payload', type: 'text' },
          t.text('status', 16),
          t.int('attempts', 0),
          t.int('last_status_code', undefined, true),
          t.text('last_error', 1000, true),
          t.dateTime('created_at', false, 3),
          t.dateTime('last_attempt_at', true, 3),
          t.dateTime('next_attempt_at', true, 3),
          t.dateTime('delivered_at', true, 3),
        ],
        indices: [
          { name: 'ix_webhook_deliveries_due', columnNames: ['status', 'next_attempt_at'] },
          { name: 'ix_webhook_deliveries_created', columnNames: ['created_at'] },
          { name: 'ix_webhook_deliveries_event', columnNames: ['event_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_deliveries');
  }
}
