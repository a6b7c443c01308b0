import { CreateSettlementFiles1764000000001 } from './1764000000001-create-settlement-files';
import { CreateCardTransactions1764000000005 } from './1764000000005-create-card-transactions';
import { CardTransactionsMerchantDateIndex1764000000006 } from './1764000000006-card-transactions-merchant-date-index';

/** In order. A new migration is appended here; the drift test fails until it is. */
export const SETTLEMENT_MIGRATIONS = [CreateSettlementFiles1764000000001, CreateCardTransactions1764000000005, CardTransactionsMerchantDateIndex1764000000006];
