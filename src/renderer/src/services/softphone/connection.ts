/**
 * The SIP side of the phone apart from calls: profile (credentials), sip.js UserAgent over
 * WebSocket, Registerer, reconnection and credential refresh. Mirrors registration and
 * signalling into the store.
 *
 * - One REGISTER in flight at most: every attempt goes through `ensureRegistered`, which
 *   refuses while one is outstanding (sip.js's own refresh timer is the only other sender,
 *   and sip.js refuses to overlap it with ours).
 * - Transport loss → `reconnecting`, reconnect with exponential backoff and jitter
 *   (`backoff.ts`; sip.js's fixed-delay reconnection is disabled), re-REGISTER on connect,
 *   then `onReconnected` so the call layer can refresh dialog targets. Calls are not touched:
 *   their media is peer-to-peer and keeps flowing while signalling is down.
 * - Credentials are re-fetched at half their lifetime (`credentials.ts`) and swapped into
 *   the UserAgent's configuration, which sip.js reads at the next digest challenge: no
 *   re-registration just because credentials changed.
 */
import { Registerer, RegistererState, UserAgent, type Invitation, type SessionDescriptionHandlerFactory } from 'sip.js';
import type { SipProfile } from '../../../../shared/api/softphone.js';
import { useSoftphoneStore, type RegistrationView } from '../../stores/softphone-store';
import { isApiCallError } from '../api-client';
import { createLogger } from '../log';
import { backoffDelayMs } from './backoff';
import { credentialRefreshDelayMs, credentialRetryDelayMs } from './credentials';
import { createRegisterer, createUserAgent } from './user-agent';
import type { SoftphoneIssue } from './issues';

const log = createLogger('softphone.sip');

export interface ConnectionDeps {
  loadProfile(): Promise<SipProfile>;
  sdhFactory(profile: SipProfile): SessionDescriptionHandlerFactory;
  onInvite(invitation: Invitation): void;
  /** Signalling is back after a loss (calls may refresh their dialogs). */
  onReconnected(): void;
  userAgentString: string;
}

type Timer = ReturnType<typeof setTimeout>;

/** Profile fetch failures: which ones are worth retrying, and what to tell the agent. */
function profileFailure(err: unknown): { issue: SoftphoneIssue; retry: boolean } {
  if (!isApiCallError(err)) return { issue: 'profileUnavailable', retry: true };
  if (err.code === 'NOT_FOUND' || err.code === 'CONFLICT') return { issue: 'noExtension', retry: false };
  if (err.code === 'FORBIDDEN' || err.code === 'VALIDATION_FAILED') return { issue: 'profileUnavailable', retry: false };
  // Signed out meanwhile: the session layer takes it from here.
  if (err.code === 'UNAUTHENTICATED' || err.code === 'SESSION_REVOKED' || err.code === 'TOKEN_EXPIRED') return { issue: 'profileUnavailable', retry: false };
  return { issue: 'profileUnavailable', retry: true };
}

export class SipConnection {
  private ua: UserAgent | null = null;
  private registerer: Registerer | null = null;
  private profile: SipProfile | null = null;
  private fetchedAt = 0;
  private running = false;
  /** Bumped by start/stop so continuations of an old run do nothing. */
  private generation = 0;
  private attempt = 0;
  private registerInFlight = false;
  private lastRejectCode: number | null = null;
  private refetchedAfterReject = false;
  private wasRegistered = false;
  private signallingLost = false;
  private serverIndex = 0;
  private retryTimer: Timer | null = null;
  private credentialTimer: Timer | null = null;
  private credentialFetch: Promise<void> | null = null;

  constructor(private readonly deps: ConnectionDeps) {}

  get userAgent(): UserAgent | null {
    return this.ua;
  }

  get currentProfile(): SipProfile | null {
    return this.profile;
  }

  get isRunning(): boolean {
    return this.running;
  }

  isRegistered(): boolean {
    return useSoftphoneStore.getState().registration.status === 'registered';
  }

  private setRegistration(patch: Partial<RegistrationView>): void {
    const s = useSoftphoneStore.getState();
    s.setRegistration({ ...s.registration, ...patch });
  }

  /** Fetches the profile, builds the UserAgent and registers. Idempotent while running. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const gen = ++this.generation;
    this.attempt = 0;
    this.wasRegistered = false;
    this.setRegistration({ status: 'registering', issue: null, sipCode: null, retryAt: null });
    await this.boot(gen);
  }

  private async boot(gen: number): Promise<void> {
    let profile: SipProfile;
    try {
      profile = await this.deps.loadProfile();
    } catch (err) {
      if (gen !== this.generation) return;
      const { issue, retry } = profileFailure(err);
      log.warn('cannot load SIP profile', err);
      this.setRegistration({ status: 'failed', issue, sipCode: null, retryAt: null });
      if (retry) this.scheduleRetry(() => void this.boot(gen));
      return;
    }
    if (gen !== this.generation) return;
    this.profile = profile;
    this.fetchedAt = Date.now();
    useSoftphoneStore.getState().setIdentity({
      extension: profile.extension,
      displayName: profile.displayName,
      domain: profile.domain,
      hotlineNumber: profile.hotlineNumber,
      dtmfMode: profile.dtmfMode,
    });
    this.scheduleCredentialRefresh();

    const ua = createUserAgent(profile, {
      // Our own backoff with jitter replaces sip.js's fixed-delay reconnection.
      reconnectionAttempts: 0,
      sessionDescriptionHandlerFactory: this.deps.sdhFactory(profile),
      userAgentString: this.deps.userAgentString,
      logConnector: (level, category, _label, content) => {
        if (level === 'error') log.warn(`${category}: ${content}`);
        else if (level === 'warn') log.debug(`${category}: ${content}`);
      },
      delegate: {
        onConnect: () => this.onConnect(gen),
        onDisconnect: (error) => this.onDisconnect(gen, error),
        onInvite: (invitation) => this.deps.onInvite(invitation),
      },
    });
    if (!ua) {
      this.setRegistration({ status: 'failed', issue: 'profileUnavailable', sipCode: null, retryAt: null });
      return;
    }
    this.ua = ua;
    const registerer = createRegisterer(ua, profile);
    registerer.stateChange.addListener((state) => this.onRegistererState(gen, state));
    this.registerer = registerer;
    useSoftphoneStore.getState().setSignalling('connecting');
    try {
      await ua.start(); // onConnect registers
    } catch (err) {
      if (gen !== this.generation) return;
      log.warn('cannot reach the SIP server', err);
      useSoftphoneStore.getState().setSignalling('disconnected');
      this.setRegistration({ status: 'failed', issue: 'transportUnavailable', sipCode: null });
      this.scheduleReconnect(gen);
    }
  }

  /** Unregisters (best effort, bounded) and disconnects. */
  async stop(): Promise<void> {
    if (!this.running && !this.ua) return;
    this.running = false;
    this.generation++;
    this.clearTimers();
    const { ua, registerer } = this;
    this.ua = null;
    this.registerer = null;
    this.profile = null;
    this.registerInFlight = false;
    if (ua && registerer && ua.isConnected() && registerer.state === RegistererState.Registered) {
      await new Promise<void>((resolve) => {
        const done = setTimeout(resolve, 1500);
        const finish = (): void => {
          clearTimeout(done);
          resolve();
        };
        registerer
          .unregister({ requestDelegate: { onAccept: finish, onReject: finish } })
          .catch(() => finish());
      });
    }
    if (ua) await ua.stop().catch((err: unknown) => log.warn('user agent stop failed', err));
    const s = useSoftphoneStore.getState();
    s.setSignalling('disconnected');
    s.setRegistration({ status: 'unregistered', issue: null, sipCode: null, retryAt: null });
    s.setIdentity(null);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.credentialTimer) clearTimeout(this.credentialTimer);
    this.retryTimer = null;
    this.credentialTimer = null;
  }

  // ---- transport ----

  private onConnect(gen: number): void {
    if (gen !== this.generation) return;
    useSoftphoneStore.getState().setSignalling('connected');
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.setRegistration({ retryAt: null });
    const recovered = this.signallingLost;
    this.signallingLost = false;
    this.ensureRegistered(gen);
    if (recovered) {
      useSoftphoneStore.getState().notify('signallingRestored', 'info');
      this.deps.onReconnected();
    }
  }

  private onDisconnect(gen: number, error?: Error): void {
    if (gen !== this.generation || !this.running) return;
    log.warn('SIP transport lost', error?.message);
    useSoftphoneStore.getState().setSignalling('disconnected');
    this.registerInFlight = false;
    if (!this.signallingLost) {
      this.signallingLost = true;
      useSoftphoneStore.getState().notify('signallingLost', 'warning');
    }
    const status = useSoftphoneStore.getState().registration.status;
    this.setRegistration({
      status: status === 'registered' || this.wasRegistered ? 'reconnecting' : 'failed',
      issue: 'transportUnavailable',
      sipCode: null,
    });
    this.scheduleReconnect(gen);
  }

  private scheduleReconnect(gen: number): void {
    this.scheduleRetry(() => {
      const ua = this.ua;
      if (!ua || gen !== this.generation) return;
      this.rotateServer(ua);
      useSoftphoneStore.getState().setSignalling('connecting');
      ua.reconnect().catch((err: unknown) => {
        if (gen !== this.generation) return;
        log.debug('reconnect failed', err);
        useSoftphoneStore.getState().setSignalling('disconnected');
        this.scheduleReconnect(gen);
      });
    });
  }

  /** With several WebSocket servers, each retry after the second goes to the next one. */
  private rotateServer(ua: UserAgent): void {
    const servers = this.profile?.wsServers ?? [];
    if (servers.length < 2 || this.attempt < 2) return;
    this.serverIndex = (this.serverIndex + 1) % servers.length;
    // sip.js reads transport.configuration.server on every connect; there is no public setter.
    const transport = ua.transport as unknown as { configuration?: { server: string } };
    const next = servers[this.serverIndex];
    if (transport.configuration && next) transport.configuration.server = next;
  }

  /** One pending retry at a time; the delay grows with each attempt until one succeeds. */
  private scheduleRetry(fn: () => void): void {
    if (!this.running || this.retryTimer) return;
    const delay = backoffDelayMs(this.attempt++);
    this.setRegistration({ retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) fn();
    }, delay);
  }

  // ---- registration ----

  private ensureRegistered(gen: number): void {
    const { ua, registerer } = this;
    if (gen !== this.generation || !this.running || !ua || !registerer || !ua.isConnected()) return;
    if (this.registerInFlight) return;
    this.registerInFlight = true;
    this.lastRejectCode = null;
    const status = useSoftphoneStore.getState().registration.status;
    if (status !== 'registered' && status !== 'reconnecting') this.setRegistration({ status: 'registering' });
    registerer
      .register({
        requestDelegate: {
          onAccept: () => {
            this.registerInFlight = false;
            if (gen === this.generation) this.registeredOk();
          },
          onReject: (response) => {
            this.registerInFlight = false;
            this.lastRejectCode = response.message.statusCode ?? null;
          },
        },
      })
      .catch((err: unknown) => {
        // RequestPendingError: sip.js's own refresh is in flight; its outcome reaches us via stateChange.
        this.registerInFlight = false;
        log.debug('register not sent', err);
      });
  }

  private registeredOk(): void {
    this.attempt = 0;
    this.refetchedAfterReject = false;
    this.wasRegistered = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.setRegistration({ status: 'registered', issue: null, sipCode: null, retryAt: null });
  }

  private onRegistererState(gen: number, state: RegistererState): void {
    if (gen !== this.generation || !this.running) return;
    if (state === RegistererState.Registered) {
      this.registeredOk();
      return;
    }
    if (state !== RegistererState.Unregistered) return;
    // Not connected: the reconnect loop re-registers once the transport is back.
    if (!this.ua?.isConnected()) return;
    const code = this.lastRejectCode;
    const authProblem = code === 401 || code === 403 || code === 407;
    log.warn(`registration lost${code ? ` (SIP ${code})` : ''}`);
    this.setRegistration({
      status: code !== null && code !== 408 && code !== 503 ? 'failed' : 'reconnecting',
      issue: code !== null ? 'registrationRejected' : 'transportUnavailable',
      sipCode: code,
    });
    if (authProblem && !this.refetchedAfterReject) {
      // Credentials may have expired while the machine slept: fetch fresh ones, then retry.
      this.refetchedAfterReject = true;
      void this.refreshCredentials().then(() => this.ensureRegistered(gen));
      return;
    }
    this.scheduleRetry(() => this.ensureRegistered(gen));
  }

  // ---- credentials ----

  private scheduleCredentialRefresh(delayMs?: number): void {
    if (this.credentialTimer) clearTimeout(this.credentialTimer);
    this.credentialTimer = null;
    const profile = this.profile;
    if (!profile) return;
    const delay = delayMs ?? credentialRefreshDelayMs(this.fetchedAt, profile.expiresAt, Date.now());
    if (delay === null) return;
    this.credentialTimer = setTimeout(() => {
      this.credentialTimer = null;
      void this.refreshCredentials();
    }, Math.min(delay, 2 ** 31 - 1));
  }

  /** Fetches fresh credentials (single flight) and hands them to sip.js for the next challenge. */
  refreshCredentials(): Promise<void> {
    if (this.credentialFetch) return this.credentialFetch;
    const gen = this.generation;
    const run = (async () => {
      try {
        const fresh = await this.deps.loadProfile();
        if (gen !== this.generation || !this.profile) return;
        if (fresh.extension !== this.profile.extension) log.warn('extension changed; it takes effect at the next start');
        this.profile = { ...this.profile, authorizationUsername: fresh.authorizationUsername, password: fresh.password, expiresAt: fresh.expiresAt };
        this.fetchedAt = Date.now();
        if (this.ua) {
          this.ua.configuration.authorizationUsername = fresh.authorizationUsername;
          this.ua.configuration.authorizationPassword = fresh.password;
        }
        log.debug(`SIP credentials refreshed, valid until ${fresh.expiresAt ?? 'forever'}`);
        this.scheduleCredentialRefresh();
      } catch (err) {
        if (gen !== this.generation) return;
        log.warn('cannot refresh SIP credentials', err);
        if (isApiCallError(err) && !profileFailure(err).retry) return;
        this.scheduleCredentialRefresh(credentialRetryDelayMs(this.profile?.expiresAt ?? null, Date.now()));
      }
    })();
    this.credentialFetch = run.finally(() => {
      this.credentialFetch = null;
    });
    return this.credentialFetch;
  }
}
