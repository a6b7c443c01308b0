export * from './entities/user.entity';
export * from './users.module';
