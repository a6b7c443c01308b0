export * from './entities/user.entity';
export * from './dto/user.response';
export { USERNAME_PATTERN } from './dto/create-user.dto';
export * from './users.service';
export * from './users.module';
export * from './admin-bootstrap.service';
