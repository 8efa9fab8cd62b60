import { describe, expect, it } from 'vitest';
import type { CurrentUser, SessionTokens } from '../../../shared/api/accounts.js';
import { createTokenStorage, SESSION_STORAGE_KEY, type KeyValueStorage } from './token-storage';

const user = (id: string): CurrentUser => ({
  id,
  username: `u-${id.slice(0, 4)}`,
  displayName: 'x',
  roles: ['agent'],
  permissions: ['console:use'],
  groupIds: [],
  extension: null,
});
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const tokensFor = (id: string, n = 1): SessionTokens => ({
  accessToken: `access-${n}`,
  accessTokenExpiresAt: '2030-01-01T00:00:00.000Z',
  refreshToken: `refresh-${id}-${n}`,
  user: user(id),
});

function memory(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('token storage', () => {
  it('keeps the access token in memory and the refresh token in storage', () => {
    const storage = memory();
    const s = createTokenStorage(storage, () => 'https://a');
    s.save(tokensFor(A));
    expect(s.accessToken()).toBe('access-1');
    expect(s.accessTokenExpiresAt()).toBe(Date.parse('2030-01-01T00:00:00.000Z'));
    const stored = JSON.parse(storage.data.get(SESSION_STORAGE_KEY) ?? '');
    expect(stored).toEqual({ server: 'https://a', refreshToken: `refresh-${A}-1`, user: user(A) });
    expect(JSON.stringify(stored)).not.toContain('access-1');
  });

  it('resumes after a reload from storage alone', () => {
    const storage = memory();
    createTokenStorage(storage, () => 'https://a').save(tokensFor(A));
    const reloaded = createTokenStorage(storage, () => 'https://a');
    expect(reloaded.accessToken()).toBeNull();
    expect(reloaded.stored()?.refreshToken).toBe(`refresh-${A}-1`);
  });

  it('ignores a session stored for another server, and garbage', () => {
    const storage = memory();
    createTokenStorage(storage, () => 'https://a').save(tokensFor(A));
    expect(createTokenStorage(storage, () => 'https://b').stored()).toBeNull();
    storage.data.set(SESSION_STORAGE_KEY, '{not json');
    expect(createTokenStorage(storage, () => 'https://a').stored()).toBeNull();
  });

  it("never clears or uses another user's session written by another tab", () => {
    const storage = memory();
    const tab1 = createTokenStorage(storage, () => 'https://a');
    const tab2 = createTokenStorage(storage, () => 'https://a');
    tab1.save(tokensFor(A));
    tab2.save(tokensFor(B));
    expect(tab1.stored()).toBeNull();
    tab1.clear();
    expect(tab2.stored()?.user.id).toBe(B);
    expect(tab1.accessToken()).toBeNull();
  });

  it('follows a rotation made by another tab of the same user', () => {
    const storage = memory();
    const tab1 = createTokenStorage(storage, () => 'https://a');
    const tab2 = createTokenStorage(storage, () => 'https://a');
    tab1.save(tokensFor(A, 1));
    tab2.save(tokensFor(A, 2));
    expect(tab1.stored()?.refreshToken).toBe(`refresh-${A}-2`);
    tab1.clear();
    expect(storage.data.has(SESSION_STORAGE_KEY)).toBe(false);
  });

  it('updates the stored user snapshot', () => {
    const storage = memory();
    const s = createTokenStorage(storage, () => 'https://a');
    s.save(tokensFor(A));
    s.saveUser({ ...user(A), extension: '8009' });
    expect(s.stored()?.user.extension).toBe('8009');
  });
});
