export * from './auth.module';
export * from './access';
export { TokenVerifier } from './token-verifier';
