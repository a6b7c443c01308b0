import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ROLES, type Role } from '@app/access';

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** POST /create-user. Which fields a caller may send depends on who they are (see UsersService). */
export class CreateUserDto {
  @ApiProperty({ example: 'alice', description: '3–64 of A–Z a–z 0–9 . _ -; unique without regard to case' })
  @IsString()
  @Length(3, 64)
  @Matches(USERNAME_PATTERN, { message: 'username may only contain letters, digits, ".", "_" and "-"' })
  username: string;

  @ApiPropertyOptional({ example: 'alice@example.com', description: 'Required to create; unique without regard to case' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: 'Alice Liddell' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'full_name must not contain control characters' })
  full_name?: string;

  @ApiPropertyOptional({ example: 'correct horse battery', description: '8–72 bytes; required to create' })
  @IsOptional()
  @IsString()
  @Length(8, 72)
  password?: string;

  @ApiPropertyOptional({ enum: ROLES, example: 'user', description: 'Admin only' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ example: false, description: 'Admin only; a disabled user cannot log in and their tokens stop working' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}
