/**
 * Ephemeral SIP credentials in Kamailio's auth_ephemeral scheme (username_format=1):
 * username "expiry:extension", password base64(HMAC-SHA1(secret, username)). The SIP
 * server verifies them with the shared secret alone: no passwords are copied into it.
 */
import { createHmac } from 'node:crypto';

export interface SipCredentials {
  username: string;
  password: string;
  /** Unix seconds. */
  expiry: number;
}

export function ephemeralCredentials(secret: string, extension: string, expiry: number): SipCredentials {
  const username = `${expiry}:${extension}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  return { username, password, expiry };
}
