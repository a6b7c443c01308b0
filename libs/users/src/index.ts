export * from './entities/user.entity';
export * from './dto/user.response';
export * from './users.service';
export * from './users.module';
export * from './admin-bootstrap.service';
