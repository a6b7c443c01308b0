/**
 * Issue 13 item 6: the design card names @nestjs/passport and passport-jwt. This measures, in the
 * same run, the product's cached read (GET /api/transactions, services mode, 50 connections) with
 *  - current: the product's guard (AccessGuard + TokenVerifier: a token's signature checked once and
 *    kept, its user read on every request through IdentityLoader)
 *  - passport: the same app with the guard as an @nestjs/passport AuthGuard('jwt') over a
 *    passport-jwt strategy (HS256 only, signature and expiry checked on every request), whose
 *    `validate` calls the same identity loader (UsersService.findActiveIdentity)
 * Same process image, module graph, pipeline and data otherwise (the guard is swapped with
 * Nest's testing module, `overrideProvider(AccessGuard)`). Medians of the repeats, runs interleaved.
 *
 *   npm run build:bench && npm run bench -- token-guard [--duration 10] [--repeat 3] [--connections 50]
 *
 * The passport packages are not dependencies of the product (the figure decided against them:
 * README, Choices); to run this, first `npm install --no-save @nestjs/passport@12.0.0 passport@0.7.0 passport-jwt@4.0.1`.
 * Needs the settlement-query benchmark's database (run it once with `--keep`), PostgreSQL and Redis.
 */
import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSecretKey } from 'node:crypto';
import { IS_OPTIONAL_AUTH, IS_PUBLIC, REQUIRED_ROLE, Role, hasRole } from '@app/access';
import type { AuthUser } from '@app/access';
import { AccessGuard } from '@app/auth';
import { AppConfigService, ForbiddenError, UnauthorizedError, bootConfig, configureHttpApp, createHttpAdapter } from '@app/core';
import { UsersModule, UsersService } from '@app/users';
import { ApiModule } from '../apps/api/src/api.module';
import { Load, Server, freePort, load, start } from './http-load';
import { BENCH_SECRET_KEY } from './nest-ceiling';
import { merchantPath } from './settlement-query-anchors';
import { machine, median, psql, table } from './support';

const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const ADMIN_PASSWORD = 'bench-admin-password';

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};

function withDatabase(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Child mode: the product with `guard`, on `port`. Loaded only there, so the product's run needs no passport. */
async function runProduct(guard: 'current' | 'passport', port: number): Promise<void> {
  const { config, logger } = bootConfig();
  const imports = [ApiModule.forRoot(config)];
  let builder = Test.createTestingModule({ imports: guard === 'passport' ? [...imports, passportModule()] : imports });
  if (guard === 'passport') builder = builder.overrideProvider(AccessGuard).useClass(passportGuard());
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger });
  configureHttpApp(app, config, logger);
  await app.listen(port, '127.0.0.1');
}

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
type Constructor = new (...args: any[]) => any;
const passportJwt = () => require('passport-jwt') as { Strategy: Constructor; ExtractJwt: { fromAuthHeaderAsBearerToken(): unknown } };
const nestPassport = () =>
  require('@nestjs/passport') as { PassportStrategy(strategy: Constructor): Constructor; AuthGuard(name: string): Constructor; PassportModule: Constructor };

/** The strategy as the card has it (and as this product had it before 559f65c): validate loads the user now. */
function passportModule(): Constructor {
  const { Strategy, ExtractJwt } = passportJwt();
  const { PassportStrategy, PassportModule } = nestPassport();
  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor(
      config: AppConfigService,
      private readonly users: UsersService,
    ) {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        // A KeyObject: given a string, jsonwebtoken first tries it as a public key on every verify.
        secretOrKey: createSecretKey(Buffer.from(config.get('auth').secretKey, 'utf8')),
        algorithms: ['HS256'],
        ignoreExpiration: false,
      });
    }

    async validate(claims: { sub?: unknown; exp?: unknown }): Promise<AuthUser | false> {
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return false;
      return (await this.users.findActiveIdentity(claims.sub)) ?? false;
    }
  }
  @Module({ imports: [UsersModule, PassportModule], providers: [JwtStrategy] })
  class PassportJwtModule {}
  return PassportJwtModule;
}

/** AccessGuard's rules (public, optional auth, roles) over AuthGuard('jwt'). */
function passportGuard(): Constructor {
  const { AuthGuard } = nestPassport();
  @Injectable()
  class PassportAccessGuard extends AuthGuard('jwt') {
    constructor(private readonly reflector: Reflector) {
      super();
    }

    async canActivate(context: ExecutionContext): Promise<boolean> {
      const targets = [context.getHandler(), context.getClass()];
      if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
      const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown>; user?: AuthUser }>();
      if (request.headers.authorization === undefined && this.reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH, targets)) return true;
      await super.canActivate(context);
      const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
      if (required && !hasRole(request.user!, required)) throw new ForbiddenError(`This needs the ${required} role`);
      return true;
    }

    handleRequest<T>(error: unknown, user: T, info: unknown): T {
      if (error || !user)
        throw new UnauthorizedError(info instanceof Error && info.name === 'TokenExpiredError' ? 'Token expired' : 'Missing or invalid token');
      return user;
    }
  }
  return PassportAccessGuard;
}
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

async function main(): Promise<void> {
  const child = process.argv.indexOf('--server');
  if (child !== -1) {
    await runProduct(process.argv[child + 1] as 'current' | 'passport', Number(process.argv[child + 2]));
    return;
  }
  const seconds = arg('duration', 10);
  const repeat = arg('repeat', 3);
  const connections = arg('connections', 50);
  const financeName = `bench_token_guard_finance_${process.pid}`;
  psql(POSTGRES, `CREATE DATABASE ${financeName}`);
  const servers: Partial<Record<'current' | 'passport', Server>> = {};
  const runs: Record<'current' | 'passport', Load[]> = { current: [], passport: [] };
  const loads: string[] = [];
  try {
    for (const guard of ['current', 'passport'] as const) {
      const port = await freePort();
      servers[guard] = await start(
        ['--max-semi-space-size=64', __filename, '--server', guard, String(port)],
        {
          NODE_ENV: 'production',
          PORT: String(port),
          DATABASE_URL: withDatabase(POSTGRES, financeName),
          SETTLEMENT_DATABASE_URL: withDatabase(MYSQL, 'bench_settlement_query'),
          REDIS_URL: REDIS,
          REDIS_PREFIX: `bench-tg-${process.pid}-${guard}`,
          SECRET_KEY: BENCH_SECRET_KEY,
          ADMIN_PASSWORD,
          SETTLEMENT_CACHE_TTL_SECONDS: '300',
          LOG_LEVEL: 'info',
          METRICS_PORT: String(await freePort()),
          SETTLEMENT_SCAN_CRON: '0 0 1 1 *',
        },
        port,
        '/health/live',
      );
    }
    const res = await fetch(`http://127.0.0.1:${servers.current!.port}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
    const headers = { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
    const paths = Array.from({ length: 200 }, (_, i) => merchantPath(i));
    for (const guard of ['current', 'passport'] as const) {
      const probe = await fetch(`http://127.0.0.1:${servers[guard]!.port}${paths[0]}`, { headers: { authorization: 'Bearer x' } });
      if (probe.status !== 401) throw new Error(`${guard}: a bad token got ${probe.status}`);
      await load(servers[guard]!.port, paths, 3, connections, headers);
    }
    for (let i = 0; i < repeat; i++) {
      // Interleaved, and the order alternates, so a load change on this shared machine hits both.
      for (const guard of i % 2 === 0 ? (['current', 'passport'] as const) : (['passport', 'current'] as const)) {
        runs[guard].push(await load(servers[guard]!.port, paths, seconds, connections, headers));
      }
      loads.push(machine());
      console.log(`run ${i + 1}: current ${runs.current[i].rps.toFixed(0)}, passport ${runs.passport[i].rps.toFixed(0)} req/s; ${machine()}`);
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    psql(POSTGRES, `DROP DATABASE IF EXISTS ${financeName} WITH (FORCE)`);
  }
  const failed = [...runs.current, ...runs.passport].reduce((sum, r) => sum + r.failed, 0);
  if (failed > 0) throw new Error(`${failed} requests failed under load`);
  const rps = (guard: 'current' | 'passport') => median(runs[guard].map((r) => r.rps));
  const p = (guard: 'current' | 'passport') => `${median(runs[guard].map((r) => r.p50))} / ${median(runs[guard].map((r) => r.p99))}`;
  const cost = 1 - rps('passport') / rps('current');
  const perRequestUs = (1 / rps('passport') - 1 / rps('current')) * 1e6;
  console.log(
    `\n${table([
      {
        guard: 'current: AccessGuard + TokenVerifier + IdentityLoader',
        'req/s (median)': rps('current').toFixed(0),
        'p50 / p99 ms': p('current'),
        figure: '-',
        verdict: '-',
        machine: loads[loads.length - 1],
      },
      {
        guard: 'passport: AuthGuard(jwt) + passport-jwt, validate → IdentityLoader',
        'req/s (median)': rps('passport').toFixed(0),
        'p50 / p99 ms': p('passport'),
        figure: `costs ${(cost * 100).toFixed(1)}% of cached throughput (${perRequestUs.toFixed(0)} µs of wall time per request at ${connections} connections)`,
        verdict: cost < 0.05 ? 'adopt (< 5%)' : 'keep the current guard (≥ 5%)',
        machine: loads[loads.length - 1],
      },
    ])}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
