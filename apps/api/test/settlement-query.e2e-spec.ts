import { describeSettlementQuery } from './settlement-query.suite';

// Embedded SQLite in the e2e tier; PostgreSQL finance + MariaDB settlement + Redis in the integration tier.
describeSettlementQuery();
