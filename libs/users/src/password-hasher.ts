import { Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';

/** §Roles: bcrypt with cost ≥ 10. */
export const BCRYPT_COST = 10;

@Injectable()
export class PasswordHasher {
  /** Compared against when the username is unknown, so both answers cost one bcrypt comparison. */
  private readonly dummyHash = bcrypt.hashSync('no-such-user-dummy-password', BCRYPT_COST);

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, BCRYPT_COST);
  }

  /** `hash` undefined (unknown user) still spends a full comparison and answers false. */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash ?? this.dummyHash);
    return hash !== undefined && matches;
  }
}
