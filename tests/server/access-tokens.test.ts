/** Access token verification, including tokens whose signature check is remembered. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccessTokens } from '../../src/server/modules/accounts/tokens.js';

describe('access tokens', () => {
  afterEach(() => vi.useRealTimers());
  const claims = { userId: '00000000-0000-4000-8000-000000000001', sessionId: '00000000-0000-4000-8000-000000000002' };

  it('a token accepted before is refused once it expires, and a tampered copy never passes', async () => {
    const tokens = new AccessTokens('x'.repeat(32), 60);
    const { token } = await tokens.issue(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    expect(await tokens.verify(token)).toEqual(claims); // remembered
    const [h, p] = token.split('.');
    await expect(tokens.verify(`${h}.${p}.AAAA`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(new AccessTokens('y'.repeat(32), 60).verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });
});
