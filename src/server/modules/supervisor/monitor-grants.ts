/**
 * Monitoring grants: short-lived JWTs (HS256, jose) that let one supervisor's monitoring
 * call into one agent's current call. The key is derived from the server's token secret
 * with its own label, and the audience differs, so a grant is never an access token and an
 * access token is never a grant. Single use is enforced by the database (monitor_session).
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { MonitorMode } from '../../../shared/api/supervisor.js';
import { monitorModes } from '../../../shared/api/supervisor.js';

const AUDIENCE = 'hotline-monitor';
const ISSUER = 'hotline-desk';

export interface GrantClaims {
  /** The session id (monitor_session.id). */
  jti: string;
  supervisorId: string;
  agentId: string;
  callId: string;
  mode: MonitorMode;
}

export type GrantCheck = { ok: true; claims: GrantClaims; expiresAt: Date } | { ok: false; why: 'expired' | 'invalid' };

export class MonitorGrants {
  private readonly key: KeyObject;

  constructor(serverSecret: string, readonly ttlSeconds: number) {
    this.key = createSecretKey(createHmac('sha256', serverSecret).update('hotline monitoring grant v1').digest());
  }

  async issue(c: GrantClaims, now = Date.now()): Promise<{ grant: string; expiresAt: Date }> {
    const iat = Math.floor(now / 1000);
    const exp = iat + this.ttlSeconds;
    const grant = await new SignJWT({ sup: c.supervisorId, call: c.callId, mode: c.mode })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti(c.jti)
      .setSubject(c.agentId)
      .setAudience(AUDIENCE)
      .setIssuer(ISSUER)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { grant, expiresAt: new Date(exp * 1000) };
  }

  async verify(grant: string): Promise<GrantCheck> {
    try {
      const { payload } = await jwtVerify(grant, this.key, { algorithms: ['HS256'], audience: AUDIENCE, issuer: ISSUER, clockTolerance: 0 });
      const { jti, sub, sup, call, mode, exp } = payload;
      if (typeof jti !== 'string' || typeof sub !== 'string' || typeof sup !== 'string' || typeof call !== 'string' || typeof exp !== 'number') return { ok: false, why: 'invalid' };
      if (!monitorModes.includes(mode as MonitorMode)) return { ok: false, why: 'invalid' };
      return { ok: true, claims: { jti, agentId: sub, supervisorId: sup, callId: call, mode: mode as MonitorMode }, expiresAt: new Date(exp * 1000) };
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { ok: false, why: 'expired' };
      return { ok: false, why: 'invalid' };
    }
  }
}
