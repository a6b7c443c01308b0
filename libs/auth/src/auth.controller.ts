import { Body, Controller, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@app/core';
import { Public } from '@app/access';
import { AuthService } from './auth.service';
import { TokenRequestDto, TokenResponse } from './dto/token.dto';

@ApiTags('auth')
@Public()
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('token')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in (OAuth2 password flow, form) and get a bearer token; JSON also accepted' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ type: TokenResponse })
  @ApiErrors(400, 401, 429)
  token(@Body() dto: TokenRequestDto, @Ip() address: string): Promise<TokenResponse> {
    return this.auth.login(dto.username, dto.password, address);
  }

  @Post('api/token')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in with JSON `{username, password}` (the settlement clients’ path); form also accepted' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ type: TokenResponse })
  @ApiErrors(400, 401, 429)
  apiToken(@Body() dto: TokenRequestDto, @Ip() address: string): Promise<TokenResponse> {
    return this.auth.login(dto.username, dto.password, address);
  }
}
