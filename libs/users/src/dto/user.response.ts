import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '@app/access';
import type { User } from '../entities/user.entity';

/** A user as the API shows it: never a password hash. */
export class UserResponse {
  @ApiProperty({ example: '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f' })
  id: string;

  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ example: 'alice@example.com' })
  email: string;

  @ApiProperty({ example: 'Alice Liddell', nullable: true, type: String })
  full_name: string | null;

  @ApiProperty({ enum: ROLES, example: 'user' })
  role: Role;

  @ApiProperty({ example: false })
  disabled: boolean;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  created_at: string;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  updated_at: string;

  static from(user: User): UserResponse {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      full_name: user.fullName,
      role: user.role,
      disabled: user.disabled,
      created_at: user.createdAt.toISOString(),
      updated_at: user.updatedAt.toISOString(),
    };
  }
}
