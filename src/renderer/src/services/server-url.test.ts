import { describe, expect, it } from 'vitest';
import { normalizeServerUrl } from './server-url';

describe('normalizeServerUrl', () => {
  it('keeps origin and path prefix, drops trailing slash, query and hash', () => {
    expect(normalizeServerUrl(' https://hotline.example.gov.cn:8443/ ')).toBe('https://hotline.example.gov.cn:8443');
    expect(normalizeServerUrl('http://10.0.0.5/hotline/?x=1#y')).toBe('http://10.0.0.5/hotline');
  });
  it('rejects other schemes and garbage', () => {
    expect(normalizeServerUrl('ftp://x')).toBeNull();
    expect(normalizeServerUrl('hotline')).toBeNull();
    expect(normalizeServerUrl('')).toBeNull();
  });
});
