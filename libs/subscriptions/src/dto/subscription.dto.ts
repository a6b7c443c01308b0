import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { USERNAME_PATTERN } from '@app/users';
import type { Subscription } from '../entities/subscription.entity';

export class GrantSubscriptionDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(3, 64)
  @Matches(USERNAME_PATTERN, { message: 'username may only contain letters, digits, ".", "_" and "-"' })
  username: string;

  @ApiPropertyOptional({ example: 'standard', default: 'standard', description: '1–32 of a–z 0–9 _ -' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9_-]{1,32}$/, { message: 'plan must be 1–32 of a-z, 0-9, "_" and "-"' })
  plan?: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 30,
    minimum: 1,
    maximum: 3650,
    description: 'Length in days from now (1–3650); or send expires_at; default 30',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  days?: number;

  @ApiPropertyOptional({ example: '2099-12-31T23:59:59Z', description: 'ISO 8601 with offset, in the future; instead of days' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(/(Z|[+-]\d{2}:?\d{2})$/, { message: 'expires_at must carry a time zone offset (Z or ±hh:mm)' })
  expires_at?: string;
}

export class RevokeSubscriptionDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(3, 64)
  @Matches(USERNAME_PATTERN, { message: 'username may only contain letters, digits, ".", "_" and "-"' })
  username: string;
}

export class SubscriptionResponse {
  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ example: 'standard' })
  plan: string;

  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  starts_at: string;

  @ApiProperty({ example: '2026-12-23T10:00:00.000Z' })
  expires_at: string;

  @ApiProperty({ example: null, nullable: true, type: String })
  ended_at: string | null;

  @ApiProperty({ example: null, nullable: true, enum: ['revoked', 'superseded'] })
  end_reason: string | null;

  static from(username: string, subscription: Subscription, now = new Date()): SubscriptionResponse {
    return {
      username,
      plan: subscription.plan,
      active: subscription.isActive(now),
      starts_at: subscription.startsAt.toISOString(),
      expires_at: subscription.expiresAt.toISOString(),
      ended_at: subscription.endedAt?.toISOString() ?? null,
      end_reason: subscription.endReason,
    };
  }
}
