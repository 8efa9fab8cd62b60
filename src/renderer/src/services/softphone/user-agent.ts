/**
 * How a sip.js UserAgent and Registerer are built from the backend's SipProfile — one place
 * for the agent's softphone and the supervisor's phone, so both reach the SIP server the same
 * way (WebSocket from the profile, digest credentials, Replaces for attended transfer and
 * 求助, the registration expiry the backend chose) and differ only in what they say they are,
 * how they reconnect and what they do with calls.
 */
import { Registerer, SIPExtension, UserAgent, type UserAgentOptions } from 'sip.js';
import type { SipProfile } from '../../../../shared/api/softphone.js';

type OwnOptions = Pick<UserAgentOptions, 'sessionDescriptionHandlerFactory' | 'userAgentString' | 'reconnectionAttempts' | 'delegate' | 'logConnector'>;

/** Null when the profile's extension/domain do not make a SIP URI. */
export function createUserAgent(profile: SipProfile, own: OwnOptions): UserAgent | null {
  const uri = UserAgent.makeURI(`sip:${profile.extension}@${profile.domain}`);
  if (!uri) return null;
  return new UserAgent({
    uri,
    displayName: profile.displayName,
    authorizationUsername: profile.authorizationUsername,
    authorizationPassword: profile.password,
    transportOptions: { server: profile.wsServers[0], connectionTimeout: 5, keepAliveInterval: 15 },
    // Attended transfer and 求助: the target accepts INVITE with Replaces (RFC 3891).
    sipExtensionReplaces: SIPExtension.Supported,
    logBuiltinEnabled: false,
    logLevel: 'warn',
    ...own,
  });
}

/** Refreshes at 85 % of the expiry the backend chose (its credentials outlive that). */
export function createRegisterer(ua: UserAgent, profile: SipProfile): Registerer {
  return new Registerer(ua, { expires: profile.registerExpiresSeconds, refreshFrequency: 85 });
}
