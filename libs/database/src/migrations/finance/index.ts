import { CreateUsers1764000000000 } from './1764000000000-create-users';

/** In order. A new migration is appended here; the drift test fails until it is. */
export const FINANCE_MIGRATIONS = [CreateUsers1764000000000];
