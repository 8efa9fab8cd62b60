/**
 * Request signing for the province exchange, both directions (our batches to the province,
 * the province's pushes to us), pluggable by configuration:
 *
 * - `HMAC-SHA256`: HMAC-SHA256 with the app secret;
 * - `SM3-HMAC` (国密): HMAC over SM3 (sm-crypto), optionally with the body encrypted with SM4-CBC.
 *
 * Headers: x-app-key, x-timestamp (ms since epoch), x-nonce, x-sign-method, x-signature and
 * x-encrypt: SM4 when encrypted. The signature covers
 *   METHOD \n path?query \n appKey \n timestamp \n nonce \n digest(body as transmitted)
 * so an encrypted body is encrypted first and then signed (the receiver checks before it
 * decrypts). Nonce replay is the caller's job (a database on our side). Secrets never leave
 * this object: not in errors, logs or toJSON.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import smCrypto from 'sm-crypto';
import { signatureHeaders as H, type SignMethod } from '../../../shared/api/province.js';

const { sm3, sm4 } = smCrypto;

export interface SigningConfig {
  method: SignMethod;
  appKey: string;
  secret: string;
  /** SM3-HMAC only: encrypt bodies with this SM4 key (32 hex digits). */
  sm4Key?: string | undefined;
}

/** Why a signed request was refused; `code` is stable, `message` is for people (zh-CN). */
export class SignatureError extends Error {
  override name = 'SignatureError';
  constructor(
    readonly code: 'MISSING_HEADERS' | 'UNKNOWN_APP_KEY' | 'UNSUPPORTED_METHOD' | 'STALE_TIMESTAMP' | 'BAD_SIGNATURE' | 'BAD_ENCRYPTION' | 'MALFORMED_BODY' | 'REPLAYED_NONCE',
    message: string,
  ) {
    super(message);
  }
}

/** The SM4 envelope a body travels in when encrypted. */
interface Sm4Envelope {
  alg: 'SM4-CBC';
  iv: string;
  data: string;
}

export function sm3Hex(data: string): string {
  return sm3(data);
}

export function hmacSm3Hex(key: string, data: string): string {
  return sm3(data, { key: [...Buffer.from(key, 'utf8')] });
}

export function sm4EncryptHex(plain: string, keyHex: string, ivHex: string): string {
  return sm4.encrypt(plain, keyHex, { mode: 'cbc', iv: ivHex, padding: 'pkcs#7' });
}

export function sm4DecryptUtf8(cipherHex: string, keyHex: string, ivHex: string): string {
  return sm4.decrypt(cipherHex, keyHex, { mode: 'cbc', iv: ivHex, padding: 'pkcs#7' });
}

export interface SealedRequest {
  headers: Record<string, string>;
  body: string;
}

export interface OpenedRequest {
  body: unknown;
  nonce: string;
  timestamp: number;
}

export class RequestSigner {
  readonly method: SignMethod;
  readonly appKey: string;
  readonly encrypts: boolean;
  readonly #secret: string;
  readonly #sm4Key: string | undefined;

  constructor(cfg: SigningConfig) {
    if (!cfg.secret || cfg.secret.length < 16) throw new Error('province signing secret must be at least 16 characters');
    if (cfg.sm4Key !== undefined && !/^[0-9a-fA-F]{32}$/.test(cfg.sm4Key)) throw new Error('province SM4 key must be 32 hex digits');
    if (cfg.sm4Key && cfg.method !== 'SM3-HMAC') throw new Error('SM4 body encryption goes with the SM3-HMAC signing method');
    this.method = cfg.method;
    this.appKey = cfg.appKey;
    this.#secret = cfg.secret;
    this.#sm4Key = cfg.sm4Key?.toLowerCase();
    this.encrypts = !!cfg.sm4Key;
  }

  toJSON(): unknown {
    return { method: this.method, appKey: this.appKey, encrypts: this.encrypts };
  }

  private digest(body: string): string {
    return this.method === 'SM3-HMAC' ? sm3Hex(body) : createHash('sha256').update(body, 'utf8').digest('hex');
  }

  private mac(text: string): string {
    return this.method === 'SM3-HMAC' ? hmacSm3Hex(this.#secret, text) : createHmac('sha256', this.#secret).update(text, 'utf8').digest('hex');
  }

  private stringToSign(httpMethod: string, path: string, timestamp: string, nonce: string, body: string): string {
    return [httpMethod.toUpperCase(), path, this.appKey, timestamp, nonce, this.digest(body)].join('\n');
  }

  /** Signs (and, when configured, encrypts) a request; `json` undefined sends an empty body. */
  seal(httpMethod: string, path: string, json: unknown, now = Date.now(), nonce: string = randomUUID()): SealedRequest {
    let body = json === undefined ? '' : JSON.stringify(json);
    const headers: Record<string, string> = {};
    if (this.#sm4Key && body) {
      const iv = randomBytes(16).toString('hex');
      const env: Sm4Envelope = { alg: 'SM4-CBC', iv, data: sm4EncryptHex(body, this.#sm4Key, iv) };
      body = JSON.stringify(env);
      headers[H.encryption] = 'SM4';
    }
    const timestamp = String(now);
    Object.assign(headers, {
      [H.appKey]: this.appKey,
      [H.timestamp]: timestamp,
      [H.nonce]: nonce,
      [H.method]: this.method,
      [H.signature]: this.mac(this.stringToSign(httpMethod, path, timestamp, nonce, body)),
    });
    if (body) headers['content-type'] = 'application/json';
    return { headers, body };
  }

  /**
   * Verifies a request: headers present, our app key and method, timestamp within
   * ±skewMs, signature (constant-time), then decrypts. Throws SignatureError.
   */
  open(httpMethod: string, path: string, headers: Record<string, string | string[] | undefined>, rawBody: string, now = Date.now(), skewMs = 5 * 60_000): OpenedRequest {
    const h = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const appKey = h(H.appKey);
    const timestamp = h(H.timestamp);
    const nonce = h(H.nonce);
    const signature = h(H.signature);
    const method = h(H.method);
    if (!appKey || !timestamp || !nonce || !signature || !method) {
      throw new SignatureError('MISSING_HEADERS', `缺少签名头（需要 ${[H.appKey, H.timestamp, H.nonce, H.method, H.signature].join(', ')}）`);
    }
    if (appKey !== this.appKey) throw new SignatureError('UNKNOWN_APP_KEY', `未知的 app key: ${appKey.slice(0, 64)}`);
    if (method !== this.method) throw new SignatureError('UNSUPPORTED_METHOD', `签名方式应为 ${this.method}，收到 ${method.slice(0, 32)}`);
    if (!/^\d{10,16}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > skewMs) {
      throw new SignatureError('STALE_TIMESTAMP', `时间戳超出允许范围（±${Math.round(skewMs / 60_000)} 分钟）`);
    }
    if (!/^[A-Za-z0-9_-]{8,128}$/.test(nonce)) throw new SignatureError('MISSING_HEADERS', 'nonce 格式不正确（8–128 位字母数字）');
    const expected = Buffer.from(this.mac(this.stringToSign(httpMethod, path, timestamp, nonce, rawBody)), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new SignatureError('BAD_SIGNATURE', '签名校验失败');
    let text = rawBody;
    const encrypted = h(H.encryption) === 'SM4';
    if (this.#sm4Key && rawBody && !encrypted) throw new SignatureError('BAD_ENCRYPTION', '报文应使用 SM4 加密');
    if (encrypted) {
      if (!this.#sm4Key) throw new SignatureError('BAD_ENCRYPTION', '未配置 SM4 密钥，无法解密');
      try {
        const env = JSON.parse(rawBody) as Partial<Sm4Envelope>;
        if (env.alg !== 'SM4-CBC' || typeof env.iv !== 'string' || !/^[0-9a-f]{32}$/.test(env.iv) || typeof env.data !== 'string' || !/^[0-9a-f]*$/.test(env.data)) throw new Error('envelope');
        text = sm4DecryptUtf8(env.data, this.#sm4Key, env.iv);
        if (!text) throw new Error('empty');
      } catch {
        throw new SignatureError('BAD_ENCRYPTION', 'SM4 报文无法解密');
      }
    }
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new SignatureError('MALFORMED_BODY', '报文不是有效的 JSON');
      }
    }
    return { body, nonce, timestamp: Number(timestamp) };
  }
}
