import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { Role } from '@app/access';

@Entity({ name: 'users' })
@Unique('uq_users_username_key', ['usernameKey'])
@Unique('uq_users_email_key', ['emailKey'])
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** As the user typed it; `usernameKey` (lower case) is what is unique and looked up. */
  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ name: 'username_key', type: 'varchar', length: 64 })
  usernameKey: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'email_key', type: 'varchar', length: 254 })
  emailKey: string;

  @Column({ name: 'full_name', type: 'varchar', length: 200, nullable: true })
  fullName: string | null;

  @Column({ name: 'hashed_password', type: 'varchar', length: 100 })
  hashedPassword: string;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt: Date;
}
