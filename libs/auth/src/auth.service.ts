import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuditLog } from '@app/audit';
import { AppConfigService, TooManyRequestsError, UnauthorizedError } from '@app/core';
import { Metrics } from '@app/metrics';
import { UsersService } from '@app/users';
import { TokenResponse } from './dto/token.dto';
import { LoginThrottle } from './login-throttle';

/** What a token carries (§Roles): subject, role, issued-at (added by the signer), expiry. */
export interface TokenClaims {
  sub: string;
  role: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottle,
    private readonly config: AppConfigService,
    private readonly metrics: Metrics,
    private readonly audit: AuditLog,
  ) {}

  /** Wrong password, unknown user and disabled account all answer the same 401 at the same cost. */
  async login(username: string, password: string, address: string): Promise<TokenResponse> {
    const wait = await this.throttle.attempt(username, address);
    if (wait > 0) {
      this.metrics.loginFailed('throttled');
      await this.recordFailure(username, 'throttled');
      throw new TooManyRequestsError(`Too many failed logins; try again in ${wait} seconds`, wait);
    }
    const user = await this.users.authenticate(username, password);
    if (!user) {
      this.metrics.loginFailed('bad_credentials');
      await this.recordFailure(username, 'bad_credentials');
      throw new UnauthorizedError('Incorrect username or password');
    }
    await this.throttle.reset(username, address);
    await this.audit.append({ actor: { id: user.id, username: user.username }, action: 'login.success', subjectType: 'user', subjectId: user.id });
    const expiresIn = this.config.get('auth').accessTokenExpireMinutes * 60;
    const claims: TokenClaims = { sub: user.id, role: user.role };
    return { access_token: await this.jwt.signAsync(claims, { expiresIn }), token_type: 'bearer', expires_in: expiresIn };
  }

  /** §Audit: a failed login by the username it tried (trimmed to the column), never the password. */
  private recordFailure(username: string, reason: 'throttled' | 'bad_credentials'): Promise<void> {
    return this.audit.append({
      actor: { id: null, username: username.slice(0, 255) },
      action: 'login.failure',
      subjectType: 'user',
      subjectId: null,
      after: { reason },
    });
  }
}
