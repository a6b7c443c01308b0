import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuthUser, hasRole } from '@app/access';
import { AuditActor, AuditLog, changedFields } from '@app/audit';
import { ConflictError, FieldProblem, ForbiddenError, ValidationError } from '@app/core';
import { FINANCE_DB, isUniqueViolation } from '@app/database';
import { CreateUserDto } from './dto/create-user.dto';
import { IdentityLoader } from './identity-loader';
import { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';

const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_BYTES = 72; // bcrypt ignores anything longer; refuse rather than truncate silently

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User, FINANCE_DB) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasher,
    private readonly identities: IdentityLoader,
    private readonly audit: AuditLog,
  ) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** Who a token's subject is now, on every authenticated request; null for an unknown or disabled user. */
  findActiveIdentity(id: string): Promise<AuthUser | null> {
    return this.identities.find(id);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ usernameKey: username.toLowerCase() });
  }

  /** The user when the password matches and the account is enabled; null otherwise, at the same cost. */
  async authenticate(username: string, password: string): Promise<User | null> {
    const user = await this.findByUsername(username);
    const matches = await this.hasher.verify(password, user?.hashedPassword);
    return matches && user && !user.disabled ? user : null;
  }

  /**
   * POST /create-user. An admin creates or updates anyone and sets roles; anyone else may only
   * change their own email, full name and password. Nobody changes their own role or disables
   * themselves, so no one can escalate and no admin can lock themselves out.
   */
  async createOrUpdate(actor: AuthUser, given: CreateUserDto): Promise<{ user: User; created: boolean }> {
    const dto = withoutNulls(given);
    const existing = await this.findByUsername(dto.username);
    const isAdmin = hasRole(actor, 'admin');
    const ownAccount = existing?.id === actor.id;

    if (!isAdmin && !ownAccount) throw new ForbiddenError('Only an admin can create or update other users');
    if (existing && existing.username !== dto.username) {
      throw new ConflictError(`Username "${dto.username}" is taken: usernames are compared without regard to case`);
    }
    if (ownAccount && dto.role !== undefined && dto.role !== existing!.role) {
      throw new ForbiddenError('Nobody can change their own role');
    }
    if (ownAccount && dto.disabled === true && !existing!.disabled) {
      throw new ForbiddenError('Nobody can disable their own account');
    }
    if (!isAdmin && dto.disabled !== undefined && dto.disabled !== existing!.disabled) {
      throw new ForbiddenError('Only an admin can disable or enable a user');
    }

    this.checkPassword(dto.password);
    if (dto.email !== undefined) await this.checkEmailFree(dto.email, existing?.id);

    try {
      return existing ? { user: await this.update(existing, dto, actor), created: false } : { user: await this.insert(dto, actor), created: true };
    } catch (error) {
      // Two requests racing for the same username or email: the index decides, the loser hears 409.
      if (isUniqueViolation(error)) throw new ConflictError('Username or email already in use', undefined, { cause: error });
      throw error;
    }
  }

  /** Creates the user (audited as `actor`: the boot-time admin's is `system`). */
  async insert(fields: CreateUserDto & { role?: User['role'] }, actor: AuditActor = 'system'): Promise<User> {
    const missing: FieldProblem[] = [];
    if (!fields.email) missing.push({ field: 'email', problems: ['email is required to create a user'] });
    if (!fields.password) missing.push({ field: 'password', problems: ['password is required to create a user'] });
    if (missing.length > 0) throw ValidationError.fields(missing);
    const now = new Date();
    const user = this.users.create({
      id: randomUUID(),
      username: fields.username,
      usernameKey: fields.username.toLowerCase(),
      email: fields.email!,
      emailKey: fields.email!.toLowerCase(),
      fullName: fields.full_name ?? null,
      hashedPassword: await this.hasher.hash(fields.password!),
      role: fields.role ?? 'user',
      disabled: fields.disabled ?? false,
      createdAt: now,
      updatedAt: now,
    });
    return this.audit.recorded(async () => {
      await this.users.insert(user);
      return { result: user, audit: { actor, action: 'user.create', subjectType: 'user', subjectId: user.id, after: auditView(user) } };
    });
  }

  /** Applies `dto` to `user` (audited as `actor`): the changed fields, and `password_changed`, never the password. */
  async update(user: User, dto: Partial<CreateUserDto>, actor: AuditActor = 'system'): Promise<User> {
    const before = auditView(user);
    if (dto.email !== undefined) {
      user.email = dto.email;
      user.emailKey = dto.email.toLowerCase();
    }
    if (dto.full_name !== undefined) user.fullName = dto.full_name;
    if (dto.password !== undefined) user.hashedPassword = await this.hasher.hash(dto.password);
    if (dto.role !== undefined) user.role = dto.role;
    if (dto.disabled !== undefined) user.disabled = dto.disabled;
    user.updatedAt = new Date();
    const changed = changedFields(before, auditView(user));
    if (dto.password !== undefined) changed.after.password_changed = true;
    return this.audit.recorded(async () => {
      await this.users.save(user);
      return { result: user, audit: { actor, action: 'user.update', subjectType: 'user', subjectId: user.id, ...changed } };
    });
  }

  passwordMatches(user: User, password: string): Promise<boolean> {
    return this.hasher.verify(password, user.hashedPassword);
  }

  /** §Roles: at least 8 characters; at most what bcrypt reads. For callers that skip the DTO (the CLI). */
  checkPassword(password: string | undefined): void {
    if (password === undefined) return;
    const problems: string[] = [];
    if (password.length < MIN_PASSWORD_LENGTH) problems.push(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) problems.push(`password must be at most ${MAX_PASSWORD_BYTES} bytes`);
    if (problems.length > 0) throw ValidationError.fields([{ field: 'password', problems }]);
  }

  private async checkEmailFree(email: string, ownId: string | undefined): Promise<void> {
    const holder = await this.users.findOneBy({ emailKey: email.toLowerCase() });
    if (holder && holder.id !== ownId) {
      throw new ConflictError('Email already in use: emails are compared without regard to case');
    }
  }
}

/**
 * A JSON null reads as an absent field, as on every other route: IsOptional lets it through, and
 * every rule below asks `!== undefined`. Only full_name may be cleared, so its null is kept.
 */
function withoutNulls(dto: CreateUserDto): CreateUserDto {
  const kept: Record<string, unknown> = { ...dto };
  for (const field of ['email', 'password', 'role', 'disabled']) if (kept[field] === null) delete kept[field];
  return kept as unknown as CreateUserDto;
}

/** What the audit trail keeps of a user: never the password or its hash. */
function auditView(user: User): Record<string, unknown> {
  return { username: user.username, email: user.email, full_name: user.fullName, role: user.role, disabled: user.disabled };
}
