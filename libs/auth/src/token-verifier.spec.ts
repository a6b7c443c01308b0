import { JwtService } from '@nestjs/jwt';
import type { UsersService } from '@app/users';
import { TokenVerifier, VERIFIED_TOKENS_MAX } from './token-verifier';

const SECRET = 'unit-test-secret-of-at-least-32-bytes!!';
const jwt = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } });
const alice = { id: 'u1', username: 'alice', role: 'operator' as const };

function setup(identity: typeof alice | null = alice) {
  const users = { findActiveIdentity: jest.fn(async () => identity) };
  const service = new JwtService({ secret: SECRET, verifyOptions: { algorithms: ['HS256'] } });
  const verify = jest.spyOn(service, 'verify');
  return { verifier: new TokenVerifier(service, users as unknown as UsersService), users, verify };
}

describe('TokenVerifier', () => {
  afterEach(() => jest.useRealTimers());

  it('answers the current user for a valid bearer token, with the scheme in any case', async () => {
    const { verifier, users } = setup();
    const token = jwt.sign({ sub: 'u1', role: 'user' }, { expiresIn: 60 });
    await expect(verifier.authenticate(`Bearer ${token}`)).resolves.toEqual(alice);
    await expect(verifier.authenticate(`bearer ${token}`)).resolves.toEqual(alice);
    expect(users.findActiveIdentity).toHaveBeenCalledWith('u1');
  });

  it('checks a signature once per token, and the user on every request', async () => {
    const { verifier, users, verify } = setup();
    const token = jwt.sign({ sub: 'u1' }, { expiresIn: 60 });
    for (let i = 0; i < 3; i++) await verifier.authenticate(`Bearer ${token}`);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(users.findActiveIdentity).toHaveBeenCalledTimes(3);
  });

  it('still refuses a checked token once it has expired', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { verifier } = setup();
    const token = jwt.sign({ sub: 'u1' }, { expiresIn: 60 });
    await verifier.authenticate(`Bearer ${token}`);
    jest.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    await expect(verifier.authenticate(`Bearer ${token}`)).rejects.toThrow('Token expired');
    await expect(verifier.authenticate(`Bearer ${token}`)).rejects.toThrow('Token expired');
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a bearer without token', 'Bearer '],
    ['garbage', 'Bearer not.a.token'],
    ['another key', `Bearer ${new JwtService({ secret: 'another-secret-of-at-least-32-bytes!!!' }).sign({ sub: 'u1' }, { expiresIn: 60 })}`],
    ['no expiry', `Bearer ${jwt.sign({ sub: 'u1' })}`],
    ['no subject', `Bearer ${jwt.sign({ role: 'admin' }, { expiresIn: 60 })}`],
  ])('refuses %s with 401', async (_label, header) => {
    const { verifier, users } = setup();
    await expect(verifier.authenticate(header)).rejects.toMatchObject({ kind: 'unauthorized', message: 'Missing or invalid token' });
    expect(users.findActiveIdentity).not.toHaveBeenCalled();
  });

  it('refuses a valid token of a user who is now disabled or gone', async () => {
    const { verifier } = setup(null);
    await expect(verifier.authenticate(`Bearer ${jwt.sign({ sub: 'u1' }, { expiresIn: 60 })}`)).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it(`keeps at most ${VERIFIED_TOKENS_MAX} checked tokens, dropping the oldest`, async () => {
    const { verifier, verify } = setup();
    const first = jwt.sign({ sub: 'u1', n: -1 }, { expiresIn: 60 });
    await verifier.authenticate(`Bearer ${first}`);
    for (let n = 0; n < VERIFIED_TOKENS_MAX; n++) await verifier.authenticate(`Bearer ${jwt.sign({ sub: 'u1', n }, { expiresIn: 60 })}`);
    verify.mockClear();
    await verifier.authenticate(`Bearer ${first}`);
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
