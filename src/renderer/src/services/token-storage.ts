/**
 * Where the session's tokens live. The access token stays in memory only; the refresh token
 * and the user snapshot go to storage (localStorage under `hotline.session`) so a reload
 * stays signed in. DOM-free: storage is injected, so tests use a Map.
 *
 * Several tabs share the stored session. The owner user id guards against one tab
 * clearing or refreshing with another user's session after a sign-in elsewhere.
 */
import { z } from 'zod';
import { CurrentUserSchema, type CurrentUser, type SessionTokens } from '../../../shared/api/accounts.js';

export const SESSION_STORAGE_KEY = 'hotline.session';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const StoredSessionSchema = z.object({
  server: z.string(),
  refreshToken: z.string(),
  user: CurrentUserSchema,
});
export type StoredSession = z.infer<typeof StoredSessionSchema>;

export interface TokenStorage {
  /** The in-memory access token, or null. */
  accessToken(): string | null;
  /** Epoch milliseconds when the access token expires, or null. */
  accessTokenExpiresAt(): number | null;
  /** The stored session for this server, if any and if it belongs to the current owner. */
  stored(): StoredSession | null;
  /** Keeps a fresh token set (after sign-in or refresh) and makes its user the owner. */
  save(tokens: SessionTokens): void;
  /** Updates the stored user snapshot (pushed by the server). */
  saveUser(user: CurrentUser): void;
  /** Forgets the session: memory always, storage only if it still holds the owner's. */
  clear(): void;
}

export function createTokenStorage(storage: KeyValueStorage, server: () => string | null): TokenStorage {
  let access: { token: string; expiresAt: number } | null = null;
  let ownerId: string | null = null;

  const read = (): StoredSession | null => {
    let raw: string | null;
    try {
      raw = storage.getItem(SESSION_STORAGE_KEY);
    } catch {
      return null;
    }
    if (!raw) return null;
    try {
      const parsed = StoredSessionSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };
  const belongsToUs = (s: StoredSession): boolean =>
    s.server === server() && (ownerId === null || s.user.id === ownerId);
  const write = (s: StoredSession): void => {
    try {
      storage.setItem(SESSION_STORAGE_KEY, JSON.stringify(s));
    } catch {
      // Storage full or disabled: the session still works until the page reloads.
    }
  };

  return {
    accessToken: () => access?.token ?? null,
    accessTokenExpiresAt: () => access?.expiresAt ?? null,
    stored() {
      const s = read();
      return s && belongsToUs(s) ? s : null;
    },
    save(tokens) {
      access = { token: tokens.accessToken, expiresAt: Date.parse(tokens.accessTokenExpiresAt) };
      ownerId = tokens.user.id;
      write({ server: server() ?? '', refreshToken: tokens.refreshToken, user: tokens.user });
    },
    saveUser(user) {
      const s = read();
      if (s && belongsToUs(s) && s.user.id === user.id) write({ ...s, user });
    },
    clear() {
      const s = read();
      if (s && belongsToUs(s)) {
        try {
          storage.removeItem(SESSION_STORAGE_KEY);
        } catch {
          // ignore: nothing else to do
        }
      }
      access = null;
      ownerId = null;
    },
  };
}
