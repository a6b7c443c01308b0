export * from './audit-chain';
export * from './audit-log.service';
export * from './audit-verifier';
export * from './audit-retention';
export * from './audit.module';
export * from './entities/audit-entry.entity';
export * from './entities/audit-chain-head.entity';
