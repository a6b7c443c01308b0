import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FINANCE_DB } from '@app/database';
import { AdminBootstrap } from './admin-bootstrap.service';
import { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { UsersController } from './users.controller';
import { IdentityLoader } from './identity-loader';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User], FINANCE_DB)],
  controllers: [UsersController],
  providers: [UsersService, PasswordHasher, AdminBootstrap, IdentityLoader],
  exports: [UsersService, AdminBootstrap],
})
export class UsersModule {}
