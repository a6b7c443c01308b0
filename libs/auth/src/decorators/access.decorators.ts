import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:isPublic';

/** The route answers without a token. Every other route needs one (the guard denies by default). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
