import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rm } from 'node:fs/promises';
import { Observable, from, lastValueFrom } from 'rxjs';
import { AppConfigService, ValidationError } from '@app/core';
import { withAmbientTransaction } from '@app/database';
import { IdempotencyStore } from './idempotency.store';
import { requestFingerprint, requestParts } from './request-fingerprint';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** 1–255 printable ASCII characters (§HTTP). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export interface IdempotentOptions {
  /**
   * The route changes only the finance database: its writes and the kept answer commit in one
   * transaction, so a crash between them cannot leave a change without its key, or a key without
   * its change. Routes that also enqueue work or move files keep the answer right after.
   */
  atomic: boolean;
}

export const IDEMPOTENT_OPTIONS = 'idempotency:options';

type UploadRequest = FastifyRequest & { user?: { id: string }; file?: { path?: string } };

/**
 * §HTTP's Idempotency-Key, for the routes marked @Idempotent(). Without the header it does
 * nothing. A 2xx answer is kept for retries; any other answer releases the key (that request
 * changed nothing, so running it again is safe).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly secret: string;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
    config: AppConfigService,
  ) {
    this.secret = config.get('auth').secretKey;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<UploadRequest>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return next.handle();
    const options = this.reflector.get<IdempotentOptions>(IDEMPOTENT_OPTIONS, context.getHandler());
    return from(this.run(context, next, request, key, options));
  }

  private async run(context: ExecutionContext, next: CallHandler, request: UploadRequest, key: string | string[], options: IdempotentOptions) {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const uploadPath = request.file?.path;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      await discard(uploadPath);
      throw ValidationError.fields([{ field: 'Idempotency-Key', problems: ['Idempotency-Key must be 1 to 255 printable ASCII characters, sent once'] }]);
    }
    // Every route that takes a key is signed in; the caller scopes the key.
    const callerId = request.user?.id ?? 'anonymous';
    const claim = await this.store.claim(callerId, key, await requestFingerprint(requestParts(request), this.secret)).catch(async (error: unknown) => {
      await discard(uploadPath);
      throw error;
    });
    if (!claim.run) {
      await discard(uploadPath);
      reply.status(claim.status).header(REPLAYED_HEADER, 'true');
      return claim.body;
    }
    try {
      const handle = async () => {
        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.store.complete(callerId, key, reply.statusCode, body);
        return body;
      };
      return options.atomic ? await withAmbientTransaction(this.store.dataSource, handle) : await handle();
    } catch (error) {
      await this.store.release(callerId, key);
      throw error;
    }
  }
}

/** A replayed or refused upload is not stored. */
async function discard(path: string | undefined): Promise<void> {
  if (path) await rm(path, { force: true });
}
