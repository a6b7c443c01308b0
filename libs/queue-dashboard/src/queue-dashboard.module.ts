import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { UsersModule } from '@app/users';
import { AdminSessionController } from './admin-session.controller';
import { AdminSessions } from './admin-session';
import { DashboardAccess } from './dashboard-access';
import { QueueDashboard } from './queue-dashboard';

/**
 * The queue dashboard (bull-board at /admin/queues, services mode, admins only) and the browser
 * session an admin signs in to it with (POST /admin/session). Composed by the api only.
 */
@Module({
  imports: [AuthModule, UsersModule],
  controllers: [AdminSessionController],
  providers: [AdminSessions, DashboardAccess, QueueDashboard],
})
export class QueueDashboardModule {}
