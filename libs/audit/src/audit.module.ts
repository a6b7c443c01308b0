import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FINANCE_DB } from '@app/database';
import { AuditController } from './audit.controller';
import { AuditLog } from './audit-log.service';
import { AuditRetention } from './audit-retention';
import { AuditSealer } from './audit-sealer';
import { AuditVerifier } from './audit-verifier';
import { AuditChainHead } from './entities/audit-chain-head.entity';
import { AuditEntry } from './entities/audit-entry.entity';
import { AuditPending } from './entities/audit-pending.entity';

/** Global: every feature that changes something records it through AuditLog. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntry, AuditChainHead, AuditPending], FINANCE_DB)],
  controllers: [AuditController],
  providers: [AuditLog, AuditSealer, AuditVerifier, AuditRetention],
  exports: [AuditLog, AuditSealer, AuditVerifier],
})
export class AuditModule {}
