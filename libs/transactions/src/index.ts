export * from './entities/transaction.entity';
export * from './transactions.service';
export * from './transactions.module';
