export { parseSettlementFile, DEFAULT_BATCH_SIZE } from './settlement-parser';
export type { ParseOptions } from './settlement-parser';
export { loadProfiles, parseProfiles, profileFor, ProfileError } from './profiles';
export { MAX_RECORD_CHARS } from './csv-tokenizer';
