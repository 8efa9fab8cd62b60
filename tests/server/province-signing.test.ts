/**
 * Province request signing: both families against published test vectors (SM3 "abc",
 * the GB/T 32907 SM4 example, RFC 4231 HMAC-SHA256), HMAC-SM3 cross-checked with OpenSSL
 * where Node has it, and round trips with every way a request can be wrong.
 */
import { createHmac, getHashes } from 'node:crypto';
import smCrypto from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { hmacSm3Hex, RequestSigner, SignatureError, sm3Hex, sm4DecryptUtf8, sm4EncryptHex } from '../../src/server/modules/province/signing.js';

const secret = 'test-province-secret-0123456789';

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignatureError) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('国密 primitives', () => {
  it('SM3("abc") matches the GB/T 32905 example', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    // And the 64-byte example "abcd" × 16.
    expect(sm3Hex('abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('SM4 encrypts the GB/T 32907 example block', () => {
    const key = '0123456789abcdeffedcba9876543210';
    const block = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10];
    expect(smCrypto.sm4.encrypt(block, key, { padding: 'none' })).toBe('681edf34d206965e86b3e94f536e4246');
    // CBC with padding, as the gateway uses it, round-trips UTF-8.
    const iv = '000102030405060708090a0b0c0d0e0f';
    const c = sm4EncryptHex('{"标题":"路灯不亮"}', key, iv);
    expect(sm4DecryptUtf8(c, key, iv)).toBe('{"标题":"路灯不亮"}');
  });

  it('HMAC-SM3 is the RFC 2104 construction (OpenSSL agrees where available)', () => {
    // RFC 2104 by hand over SM3, independent of the library's hmac mode.
    const key = Buffer.alloc(64);
    Buffer.from('Jefe').copy(key);
    const ipad = Buffer.from(key.map((b) => b ^ 0x36));
    const opad = Buffer.from(key.map((b) => b ^ 0x5c));
    const inner = Buffer.from(smCrypto.sm3([...ipad, ...Buffer.from('what do ya want for nothing?')]), 'hex');
    const manual = smCrypto.sm3([...opad, ...inner]);
    expect(hmacSm3Hex('Jefe', 'what do ya want for nothing?')).toBe(manual);
    expect(manual).toBe('2e87f1d16862e6d964b50a5200bf2b10b764faa9680a296a2405f24bec39f882');
    if (getHashes().includes('sm3')) expect(createHmac('sm3', 'Jefe').update('what do ya want for nothing?').digest('hex')).toBe(manual);
  });

  it('HMAC-SHA256 matches RFC 4231 test case 2', () => {
    expect(createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe.each([
  { name: 'HMAC-SHA256', cfg: { method: 'HMAC-SHA256' as const, appKey: 'city', secret } },
  { name: 'SM3-HMAC', cfg: { method: 'SM3-HMAC' as const, appKey: 'city', secret } },
  { name: 'SM3-HMAC + SM4', cfg: { method: 'SM3-HMAC' as const, appKey: 'city', secret, sm4Key: '0123456789abcdeffedcba9876543210' } },
])('signed requests: $name', ({ cfg }) => {
  const signer = new RequestSigner(cfg);
  const now = 1_741_000_000_000;
  const body = { messages: [{ title: '路灯不亮' }] };

  it('round-trips, and encrypts the body when SM4 is configured', () => {
    const sealed = signer.seal('POST', '/api/province/inbound', body, now, 'nonce-0001');
    expect(sealed.headers['x-sign-method']).toBe(cfg.method);
    expect(sealed.body.includes('路灯不亮')).toBe(!cfg.sm4Key);
    const opened = signer.open('POST', '/api/province/inbound', sealed.headers, sealed.body, now + 1000);
    expect(opened).toEqual({ body, nonce: 'nonce-0001', timestamp: now });
  });

  it('refuses tampering, wrong keys, stale timestamps and missing headers', () => {
    const sealed = signer.seal('POST', '/api/province/inbound', body, now, 'nonce-0002');
    const open = (h: Record<string, string>, b = sealed.body, path = '/api/province/inbound', at = now) => refused(() => signer.open('POST', path, h, b, at));
    expect(open(sealed.headers, sealed.body.replace(/.$/, ' }'))).toBe('BAD_SIGNATURE');
    expect(open(sealed.headers, sealed.body, '/api/province/other')).toBe('BAD_SIGNATURE');
    expect(open({ ...sealed.headers, 'x-nonce': 'nonce-0003' })).toBe('BAD_SIGNATURE');
    expect(open(sealed.headers, sealed.body, undefined, now + 5 * 60_000 + 1)).toBe('STALE_TIMESTAMP');
    expect(open(sealed.headers, sealed.body, undefined, now - 5 * 60_000 - 1)).toBe('STALE_TIMESTAMP');
    expect(open({ ...sealed.headers, 'x-app-key': 'other' })).toBe('UNKNOWN_APP_KEY');
    const { 'x-signature': _drop, ...noSig } = sealed.headers;
    expect(open(noSig)).toBe('MISSING_HEADERS');
    const other = new RequestSigner({ ...cfg, secret: 'another-secret-0123456789' });
    expect(refused(() => other.open('POST', '/api/province/inbound', sealed.headers, sealed.body, now))).toBe('BAD_SIGNATURE');
    const otherMethod = new RequestSigner({ method: cfg.method === 'SM3-HMAC' ? 'HMAC-SHA256' : 'SM3-HMAC', appKey: 'city', secret });
    expect(refused(() => otherMethod.open('POST', '/api/province/inbound', sealed.headers, sealed.body, now))).toBe('UNSUPPORTED_METHOD');
  });

  it('never shows its secret', () => {
    expect(JSON.stringify(signer)).not.toContain(secret);
    expect(JSON.stringify(signer)).not.toContain('0123456789abcdef');
  });
});
