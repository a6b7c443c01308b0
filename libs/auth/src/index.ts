export * from './auth.module';
export * from '@app/access';
export { TokenVerifier } from './token-verifier';
