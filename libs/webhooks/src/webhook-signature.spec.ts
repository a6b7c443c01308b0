import { signatureHeader, verifySignature } from './webhook-signature';

const SECRET = 'whsec_test_secret';
const BODY = '{"id":"evt","type":"task.finished"}';
const T = 1767225600; // 2026-01-01T00:00:00Z

describe('webhook signature (Stripe scheme)', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">, as openssl computes it', () => {
    // printf '%s' '1767225600.{"id":"evt","type":"task.finished"}' | openssl dgst -sha256 -hmac whsec_test_secret
    expect(signatureHeader(SECRET, BODY, T)).toBe('t=1767225600,v1=faf0f8aba11dd960921e447f5280df274b7a5c83ac8fbae713ce86e076ed5a40');
  });

  it('verifies what it signs, within the tolerance', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY, { nowSeconds: T + 299 })).toBe(true);
    expect(verifySignature(SECRET, header, BODY, { nowSeconds: T + 301 })).toBe(false);
  });

  it('refuses another body, another secret, a changed timestamp or a malformed header', () => {
    const header = signatureHeader(SECRET, BODY, T);
    const now = { nowSeconds: T };
    expect(verifySignature(SECRET, header, `${BODY} `, now)).toBe(false);
    expect(verifySignature('another secret', header, BODY, now)).toBe(false);
    expect(verifySignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, { nowSeconds: T + 1 })).toBe(false);
    expect(verifySignature(SECRET, 'v1=abc', BODY, now)).toBe(false);
    expect(verifySignature(SECRET, `t=${T},v1=zz`, BODY, now)).toBe(false);
  });

  it('accepts the header while a second v1 (a rotated secret) is listed beside it', () => {
    const header = `${signatureHeader(SECRET, BODY, T)},v1=${'0'.repeat(64)}`;
    expect(verifySignature(SECRET, header, BODY, { nowSeconds: T })).toBe(true);
  });
});
