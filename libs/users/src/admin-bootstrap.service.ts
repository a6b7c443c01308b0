import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfigService, ConflictError } from '@app/core';
import { isUniqueViolation } from '@app/database';
import { UsersService } from './users.service';

/** What a newcomer who lost the generated password runs; named in the boot log and the README. */
export const RESET_ADMIN_PASSWORD_COMMAND = 'npm run cli -- admin:reset-password';

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
      // Every restart says who the admin is and how to get back in; never the password itself.
      this.logger.log(
        admin.password !== undefined
          ? `Admin "${admin.username}": password from ADMIN_PASSWORD (set again at every start)`
          : `Admin "${admin.username}" exists; its password is not shown again. Lost it? \`${RESET_ADMIN_PASSWORD_COMMAND}\` sets a new one`,
      );
      return;
    }

    const embedded = this.config.get('finance').embedded;
    if (admin.password === undefined && !embedded) {
      this.logger.warn(
        `No admin exists and ADMIN_PASSWORD is not set: set it (or ADMIN_PASSWORD_FILE) to create one, or run \`${RESET_ADMIN_PASSWORD_COMMAND}\``,
      );
      return;
    }
    const password = admin.password ?? generatePassword();
    if (!(await this.create(password))) return; // another replica created it first
    this.logger.log(`Admin "${admin.username}" created`);
    if (admin.password === undefined) {
      // Printed once, straight to the terminal and never through the logger: the only copy.
      process.stdout.write(
        `\n  Embedded mode: created admin "${admin.username}" with password: ${password}\n` +
          `  It is shown only this once; set ADMIN_PASSWORD to choose your own, or \`${RESET_ADMIN_PASSWORD_COMMAND}\` to get a new one.\n\n`,
      );
    }
  }

  /**
   * `admin:reset-password`: gives the ADMIN_USERNAME admin a new password (a generated one when none
   * is given), enabled and an admin again; creates it from ADMIN_* when it does not exist. Refused
   * while ADMIN_PASSWORD is set, since the next start would put that one back.
   */
  async resetPassword(chosen?: string): Promise<{ username: string; password: string; generated: boolean; created: boolean }> {
    const admin = this.config.get('admin');
    if (admin.password !== undefined) {
      throw new ConflictError(
        `ADMIN_PASSWORD (or ADMIN_PASSWORD_FILE) is set, and every start gives admin "${admin.username}" that password again: change it there instead`,
      );
    }
    const password = chosen ?? generatePassword();
    this.users.checkPassword(password);
    const existing = await this.users.findByUsername(admin.username);
    const created = !existing && (await this.create(password));
    if (!created) {
      const user = existing ?? (await this.users.findByUsername(admin.username));
      await this.users.update(user!, { password, role: 'admin', disabled: false });
    }
    return { username: admin.username, password, generated: chosen === undefined, created };
  }

  /** False when the username was taken meanwhile (another replica, or a command). */
  private async create(password: string): Promise<boolean> {
    const admin = this.config.get('admin');
    try {
      await this.users.insert({ username: admin.username, email: admin.email, full_name: admin.fullName, password, role: 'admin' });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
