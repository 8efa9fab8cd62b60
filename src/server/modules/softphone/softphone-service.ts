/**
 * Gives a signed-in agent's softphone what it needs to register: short-lived credentials
 * for their extension plus the site's SIP/ICE settings. An agent whose last session ended
 * has their credentials revoked at the SIP server at once, not only at expiry.
 */
import { sql } from 'kysely';
import type { SipProfile } from '../../../shared/api/softphone.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import type { KamailioRpc } from '../../telephony/kamailio/kamailio-rpc.js';
import { ephemeralCredentials } from '../../telephony/sip-credentials.js';
import type { Principal } from '../accounts/principal.js';

export interface SoftphoneSettings {
  wsServers: string[];
  domain: string;
  secret: string;
  credentialTtl: number;
  iceServers: SipProfile['iceServers'];
  iceGatheringTimeoutMs: number;
  dtmfMode: SipProfile['dtmfMode'];
  hotlineNumber: string;
  /** Who records trunk calls (HOTLINE_RECORDING); the softphone leaves server-recorded calls alone. */
  trunkRecording: SipProfile['trunkRecording'];
  /** The caller simulator is served on demo/dev sites only. */
  simulatorEnabled: boolean;
}

export class SoftphoneService {
  /** Set while our managed Kamailio runs; revocations are pushed through it. */
  rpc: KamailioRpc | null = null;

  constructor(
    private readonly db: Db,
    private readonly s: SoftphoneSettings,
    private readonly log: { warn(o: object, msg: string): void; info(o: object, msg: string): void },
  ) {}

  async profile(p: Principal): Promise<SipProfile> {
    if (!p.extension) throw new AppError('CONFLICT', 'No extension is assigned to this account; ask an administrator');
    return this.issue(p.extension, p.displayName);
  }

  async simulatorProfile(number: string): Promise<SipProfile> {
    if (!this.s.simulatorEnabled) throw new AppError('NOT_FOUND', 'The caller simulator is available on demo sites only');
    return this.issue(number, `模拟来电 ${number}`);
  }

  private async issue(extension: string, displayName: string): Promise<SipProfile> {
    const now = Math.floor(Date.now() / 1000);
    const expiry = await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('sip_credential').values({ extension }).onConflict((oc) => oc.column('extension').doNothing()).execute();
      const row = await tx.selectFrom('sip_credential').select(['revoked_through']).where('extension', '=', extension).forUpdate().executeTakeFirstOrThrow();
      // Never hand out an expiry inside the revoked range, even within the same second.
      const exp = Math.max(now + this.s.credentialTtl, Number(row.revoked_through) + 1);
      await tx.updateTable('sip_credential')
        .set({ last_issued_expiry: sql`greatest(last_issued_expiry, ${exp})`, updated_at: new Date() })
        .where('extension', '=', extension).execute();
      return exp;
    });
    const creds = ephemeralCredentials(this.s.secret, extension, expiry);
    return {
      wsServers: this.s.wsServers,
      domain: this.s.domain,
      extension,
      authorizationUsername: creds.username,
      password: creds.password,
      displayName,
      expiresAt: new Date(expiry * 1000).toISOString(),
      iceServers: this.s.iceServers,
      iceGatheringTimeoutMs: this.s.iceGatheringTimeoutMs,
      dtmfMode: this.s.dtmfMode,
      registerExpiresSeconds: Math.min(300, Math.max(60, Math.floor(this.s.credentialTtl / 2))),
      hotlineNumber: this.s.hotlineNumber,
      trunkRecording: this.s.trunkRecording,
    };
  }

  /** Every credential issued so far for this extension stops working, and its registration is dropped. */
  async revokeExtension(extension: string): Promise<void> {
    const row = await this.db.updateTable('sip_credential')
      .set({ revoked_through: sql`greatest(revoked_through, last_issued_expiry)`, updated_at: new Date() })
      .where('extension', '=', extension)
      .returning('revoked_through')
      .executeTakeFirst();
    if (!row) return;
    await this.pushRevocation(extension, Number(row.revoked_through));
    this.log.info({ extension }, 'SIP credentials revoked');
  }

  private async pushRevocation(extension: string, through: number): Promise<void> {
    if (!this.rpc) return;
    try {
      await this.rpc.call('htable.seti', 'revoked', extension, through);
      await this.rpc.call('ul.rm', 'location', extension).catch(() => undefined); // not registered: fine
    } catch (err) {
      this.log.warn({ err, extension }, 'could not push a SIP revocation; credentials still expire on their own');
    }
  }

  /** After Kamailio (re)starts: its in-memory revocation table is empty again. */
  async pushAllRevocations(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const rows = await this.db.selectFrom('sip_credential').select(['extension', 'revoked_through']).where('revoked_through', '>', now).execute();
    for (const r of rows) await this.pushRevocation(r.extension, Number(r.revoked_through));
  }

  /** Sessions ended: agents left with no live session are signed out of the SIP server too. */
  async onSessionsEnded(sessionIds: string[]): Promise<void> {
    if (!sessionIds.length) return;
    const rows = await this.db
      .selectFrom('auth_session as s')
      .innerJoin('app_user as u', 'u.id', 's.user_id')
      .select(['u.extension'])
      .where('s.id', 'in', sessionIds)
      .where('u.extension', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(
          selectFrom('auth_session as live').select('live.id')
            .whereRef('live.user_id', '=', 'u.id')
            .where('live.revoked_at', 'is', null)
            .where('live.expires_at', '>', new Date()),
        )),
      )
      .distinct()
      .execute();
    for (const r of rows) if (r.extension) await this.revokeExtension(r.extension);
  }
}
