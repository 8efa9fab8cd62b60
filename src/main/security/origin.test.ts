import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, createOriginPolicy, originOf } from './origin.js';

describe('originOf', () => {
  it('serializes custom-scheme origins (Node says "null" for them)', () => {
    expect(new URL('app://desktop/index.html').origin).toBe('null');
    expect(originOf('app://desktop/index.html')).toBe('app://desktop');
    expect(originOf('app://DESKTOP/')).toBe('app://desktop');
  });

  it('rejects credentials and unparsable input', () => {
    expect(originOf('app://user@desktop/')).toBeNull();
    expect(originOf('nonsense')).toBeNull();
    expect(originOf('file:///etc/passwd')).toBeNull();
  });
});

describe('createOriginPolicy', () => {
  it('trusts only app://desktop in production', () => {
    const p = createOriginPolicy(undefined);
    expect(p.entryUrl).toBe(APP_ENTRY_URL);
    expect(p.isTrustedUrl('app://desktop/index.html#/calls')).toBe(true);
    expect(p.isTrustedOrigin('app://desktop')).toBe(true);
    for (const u of [
      'app://desktop.evil/',
      'app://evil/',
      'app://desktop:81/',
      'https://desktop/',
      'http://localhost:5173/',
      'file:///C:/app/index.html',
      'null',
      '',
    ]) {
      expect(p.isTrustedUrl(u), u).toBe(false);
    }
  });

  it('adds a loopback dev server when one is given', () => {
    const p = createOriginPolicy('http://localhost:5173/');
    expect(p.entryUrl).toBe('http://localhost:5173/');
    expect(p.isTrustedUrl('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(p.isTrustedUrl('http://localhost:5174/')).toBe(false);
    expect(p.isTrustedUrl('app://desktop/')).toBe(true);
  });

  it('ignores a dev server that is not on loopback', () => {
    const p = createOriginPolicy('https://attacker.example/');
    expect(p.entryUrl).toBe(APP_ENTRY_URL);
    expect(p.isTrustedUrl('https://attacker.example/')).toBe(false);
  });
});
