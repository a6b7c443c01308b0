import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfigService } from '@app/core';
import { isUniqueViolation } from '@app/database';
import { UsersService } from './users.service';

/**
 * §Roles: the first admin comes from ADMIN_* at boot, idempotently. An existing admin is kept an
 * enabled admin and, when ADMIN_PASSWORD is set, gets that password (so rotating the secret works).
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.get('admin');
    const existing = await this.users.findByUsername(admin.username);
    if (existing) {
      const passwordStale = admin.password !== undefined && !(await this.users.passwordMatches(existing, admin.password));
      if (existing.role !== 'admin' || existing.disabled || passwordStale) {
        await this.users.update(existing, { role: 'admin', disabled: false, ...(passwordStale ? { password: admin.password } : {}) });
        this.logger.log(`Admin "${admin.username}" brought in line with ADMIN_* settings`);
      }
      return;
    }

    const embedded = this.config.get('finance').embedded;
    if (admin.password === undefined && !embedded) {
      this.logger.warn('No admin exists and ADMIN_PASSWORD is not set: set it (or ADMIN_PASSWORD_FILE) to create one');
      return;
    }
    const password = admin.password ?? randomBytes(12).toString('base64url');
    try {
      await this.users.insert({
        username: admin.username,
        email: admin.email,
        full_name: admin.fullName,
        password,
        role: 'admin',
      });
    } catch (error) {
      if (isUniqueViolation(error)) return; // another replica created it first
      throw error;
    }
    this.logger.log(`Admin "${admin.username}" created`);
    if (admin.password === undefined) {
      // Printed once, straight to the terminal and never through the logger: the only copy.
      process.stdout.write(
        `\n  Embedded mode: created admin "${admin.username}" with password: ${password}\n` +
          '  It is shown only this once; set ADMIN_PASSWORD to choose your own.\n\n',
      );
    }
  }
}
