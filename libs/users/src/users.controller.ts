import { Body, Controller, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser, CurrentUser } from '@app/access';
import { ApiErrors, BEARER_SCHEME } from '@app/core';
import { Idempotent } from '@app/idempotency';
import { CreateUserDto } from './dto/create-user.dto';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth(BEARER_SCHEME)
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('create-user')
  @Idempotent({ atomic: true })
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Create or update a user',
    description:
      'An admin creates (201) or updates (200) anyone by username and may set `role` and `disabled`. ' +
      'Any other caller may only update their own email, full_name and password.',
  })
  @ApiCreatedResponse({ type: UserResponse, description: 'Created' })
  @ApiOkResponse({ type: UserResponse, description: 'Updated' })
  @ApiErrors(400, 401, 403, 409)
  async createUser(@CurrentUser() actor: AuthUser, @Body() dto: CreateUserDto, @Res({ passthrough: true }) res: FastifyReply): Promise<UserResponse> {
    const { user, created } = await this.users.createOrUpdate(actor, dto);
    if (created) res.status(HttpStatus.CREATED);
    return UserResponse.from(user);
  }
}
