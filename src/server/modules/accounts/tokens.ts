/**
 * Access tokens (short-lived JWT, HS256, naming user and session) and refresh tokens
 * (opaque random strings, stored only as SHA-256 hashes).
 */
import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../../http/errors.js';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** Verified tokens remembered (a few per signed-in user and 15 minutes). */
const VERIFIED_MAX = 10_000;

export class AccessTokens {
  // A KeyObject, not raw bytes: jose would otherwise import the key on every verify.
  private readonly key: KeyObject;
  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async issue(claims: AccessClaims, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setIssuer('hotline-desk')
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Tokens whose signature was checked, until they expire. jose's HMAC goes through WebCrypto
   * (the thread pool) and cost ~9 % of a ticket filing's CPU; a console sends the same token
   * for 15 minutes. Keyed by the exact token text, so only bytes that passed are accepted;
   * revocation is unaffected (every request still checks the session row).
   */
  private readonly verified = new Map<string, { claims: AccessClaims; exp: number }>();

  /** Throws AppError TOKEN_EXPIRED or UNAUTHENTICATED. */
  async verify(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token);
    if (known) {
      // jose's rule: expired once exp <= now in whole seconds.
      if (known.exp > Math.floor(Date.now() / 1000)) return known.claims;
      this.verified.delete(token);
      throw new AppError('TOKEN_EXPIRED', 'Access token expired; refresh it');
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: 'hotline-desk' });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new AppError('UNAUTHENTICATED', 'Malformed token');
      const claims = { userId: payload.sub, sessionId: payload.sid };
      if (typeof payload.exp === 'number') {
        if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!); // oldest first
        this.verified.set(token, { claims, exp: payload.exp });
      }
      return claims;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof errors.JWTExpired) throw new AppError('TOKEN_EXPIRED', 'Access token expired; refresh it');
      throw new AppError('UNAUTHENTICATED', 'Invalid access token');
    }
  }
}

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
