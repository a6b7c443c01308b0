/**
 * The framework's ceiling for GET /api/transactions (§Performance): a minimal Nest app answering a
 * constant 10-record page (a cache hit at no cost) behind a global guard that verifies an HS256
 * bearer token on every request, as every authenticated route must. No database, no Redis, no log,
 * no middleware. The http-adapters benchmark runs it on each adapter; the settlement-query benchmark
 * runs it on Fastify as the cached read's ceiling, with the product's own token (same key).
 */
import { CanActivate, Controller, ExecutionContext, Get, Injectable, Module, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createSecretKey } from 'node:crypto';
import { sign, verify } from 'jsonwebtoken';

/** The products the benchmarks start sign with this key too, so one token passes every server. */
export const BENCH_SECRET_KEY = 'bench-secret-key-of-at-least-32-bytes-long';
const KEY = createSecretKey(Buffer.from(BENCH_SECRET_KEY, 'utf8'));

export const ADAPTERS = { express: () => new ExpressAdapter(), fastify: () => new FastifyAdapter() };
export type Adapter = keyof typeof ADAPTERS;

/** A page as GET /api/transactions answers it: 10 records keyed by the file's column names. */
export const PAGE = {
  total: 1000,
  skip: 0,
  limit: 10,
  next_cursor: 'eyJ2IjpbIjIwMjUtMDktMTkiLCJCMSJdfQ',
  transactions: Array.from({ length: 10 }, (_, i) => ({
    DOC_IDT: `B${i + 1}`,
    TRANS_DATE: '2025-09-19',
    TRANS_TIME: '08:17:45',
    AMOUNT: '9768000.00',
    CURRENCY: 'VND',
    CARD_NO: '520082******4503',
    MERCHANT_ID: 'MCH000055850',
    TERMINAL_ID: 'TID00912905',
    MCC: '7011',
    RRN: '576729000001',
    AUTH_CODE: 'RM27TC',
    TRANS_TYPE: 'PURCHASE',
    FEE: '97680.00',
    SETTLE_DATE: '2025-09-20',
  })),
};

/** A bearer token the ceiling accepts (the products issue their own, with the same key). */
export function ceilingToken(): string {
  return sign({ sub: 'bench' }, KEY, { algorithm: 'HS256', expiresIn: '1h' });
}

@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
    try {
      verify(header?.startsWith('Bearer ') ? header.slice(7) : '', KEY, { algorithms: ['HS256'] });
      return true;
    } catch {
      throw new UnauthorizedException();
    }
  }
}

@Controller('api')
class PageController {
  @Get('transactions')
  page() {
    return PAGE;
  }
}

@Module({ controllers: [PageController], providers: [{ provide: APP_GUARD, useClass: BearerGuard }] })
class CeilingModule {}

/** Child mode: the ceiling app on one adapter, on `port`; prints "ready". */
export async function runNestCeiling(adapter: Adapter, port: number): Promise<void> {
  const app = await NestFactory.create(CeilingModule, ADAPTERS[adapter](), { logger: false });
  await app.listen(port, '127.0.0.1');
  console.log('ready');
}
