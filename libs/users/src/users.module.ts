import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FINANCE_DB } from '@app/database';
import { User } from './entities/user.entity';

@Module({
  imports: [TypeOrmModule.forFeature([User], FINANCE_DB)],
  exports: [TypeOrmModule],
})
export class UsersModule {}
