import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AppConfigService } from '@app/core';
import { MetricsModule } from '@app/metrics';
import { UsersModule } from '@app/users';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { TokenVerifier } from './token-verifier';
import { LoginThrottle } from './login-throttle';

@Module({
  imports: [
    MetricsModule,
    UsersModule,
    JwtModule.registerAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        secret: config.get('auth').secretKey,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  // The global guard by `useExisting`, so a test or benchmark can swap it (overrideProvider(AccessGuard)).
  providers: [AuthService, TokenVerifier, LoginThrottle, AccessGuard, { provide: APP_GUARD, useExisting: AccessGuard }],
  // For routes outside Nest's controllers that take a bearer token too (the queue dashboard).
  exports: [TokenVerifier],
})
export class AuthModule {}
