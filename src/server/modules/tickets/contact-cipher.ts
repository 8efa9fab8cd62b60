/**
 * Encryption at rest for citizens' contact details: AES-256-GCM per value (random 96-bit IV,
 * the column name as associated data so a ciphertext cannot be moved to another column),
 * and a keyed hash (HMAC-SHA256) of the normalised phone for equality lookups. Both keys are
 * derived (HKDF) from one 32-byte master key taken from configuration.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export type ContactColumn = 'contact_phone' | 'caller_number' | 'id_number';

const VERSION = 'v1';

export class ContactCipher {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the data key must be 32 bytes');
    this.encKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'hotline tickets: contact encryption v1', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'hotline tickets: phone lookup v1', 32));
  }

  /** Parses the configured key: 64 hex digits or base64 of 32 bytes. */
  static parseKey(text: string): Buffer {
    const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    if (key.length !== 32) throw new Error('HOTLINE_DATA_KEY must be 32 bytes, as 64 hex digits or base64');
    return key;
  }

  encrypt(column: ContactColumn, plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.encKey, iv);
    c.setAAD(Buffer.from(column));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `${VERSION}.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
  }

  decrypt(column: ContactColumn, stored: string): string {
    const [version, data] = stored.split('.');
    if (version !== VERSION || !data) throw new Error('unknown ciphertext format');
    const raw = Buffer.from(data, 'base64url');
    const d = createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, 12));
    d.setAAD(Buffer.from(column));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }

  /** Deterministic lookup key of a normalised phone number (never reversible without the key). */
  phoneHash(normalized: string): string {
    return createHmac('sha256', this.macKey).update(normalized).digest('base64url');
  }
}
