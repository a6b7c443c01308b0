import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** OAuth2 password flow (form) or JSON. The optional OAuth2 fields are accepted and ignored. */
export class TokenRequestDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 254)
  username: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @Length(1, 1024)
  password: string;

  @ApiPropertyOptional({ example: 'password', description: 'OAuth2: must be "password" when sent' })
  @IsOptional()
  @Equals('password')
  grant_type?: string;

  @ApiPropertyOptional({ description: 'OAuth2: ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;

  @ApiPropertyOptional({ description: 'OAuth2: ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  client_id?: string;

  @ApiPropertyOptional({ description: 'OAuth2: ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  client_secret?: string;
}

export class TokenResponse {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…' })
  access_token: string;

  @ApiProperty({ example: 'bearer', enum: ['bearer'] })
  token_type: 'bearer';

  @ApiProperty({ example: 1800, description: 'Seconds until the token expires' })
  expires_in: number;
}
