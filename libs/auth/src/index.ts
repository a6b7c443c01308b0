export * from './auth.module';
export { TokenVerifier } from './token-verifier';
export { AccessGuard } from './access.guard';
