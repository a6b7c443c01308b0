import type { Repository } from 'typeorm';
import type { AuditLog } from '@app/audit';
import type { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import type { IdentityLoader } from './identity-loader';
import { UsersService } from './users.service';

/** A fake repository holding one user, enough for authenticate(). */
function serviceWith(user: Partial<User> | null) {
  const repo = { findOneBy: jest.fn(async () => user) } as unknown as Repository<User>;
  const hasher = new PasswordHasher();
  const verify = jest.spyOn(hasher, 'verify');
  return { service: new UsersService(repo, hasher, {} as IdentityLoader, {} as AuditLog), verify, hasher };
}

describe('UsersService.authenticate', () => {
  it('spends a bcrypt comparison on an unknown user too, and answers null', async () => {
    const { service, verify } = serviceWith(null);
    await expect(service.authenticate('ghost', 'any-password')).resolves.toBeNull();
    expect(verify).toHaveBeenCalledWith('any-password', undefined);
    await expect(verify.mock.results[0].value).resolves.toBe(false);
  });

  it('answers the user for the right password and null for a wrong one', async () => {
    const hasher = new PasswordHasher();
    const hashedPassword = await hasher.hash('right-password');
    const { service } = serviceWith({ id: 'u1', hashedPassword, disabled: false });
    await expect(service.authenticate('alice', 'right-password')).resolves.toMatchObject({ id: 'u1' });
    await expect(service.authenticate('alice', 'wrong-password')).resolves.toBeNull();
  });

  it('answers null for a disabled user even with the right password', async () => {
    const hashedPassword = await new PasswordHasher().hash('right-password');
    const { service } = serviceWith({ id: 'u1', hashedPassword, disabled: true });
    await expect(service.authenticate('alice', 'right-password')).resolves.toBeNull();
  });
});

describe('PasswordHasher', () => {
  it('hashes with bcrypt at cost 10 or more', async () => {
    const hash = await new PasswordHasher().hash('a-password');
    expect(hash).toMatch(/^\$2[aby]\$(\d\d)\$/);
    expect(Number(hash.slice(4, 6))).toBeGreaterThanOrEqual(10);
  });
});
