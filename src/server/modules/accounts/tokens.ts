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

  /** Throws AppError TOKEN_EXPIRED or UNAUTHENTICATED. */
  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: 'hotline-desk' });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new AppError('UNAUTHENTICATED', 'Malformed token');
      return { userId: payload.sub, sessionId: payload.sid };
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
