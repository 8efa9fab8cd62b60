import { describe, expect, it } from 'vitest';
import { allowedPages, landingPage, pathFromHash, resolvePage } from './routes';

describe('routes', () => {
  it('lands each role on its own page', () => {
    expect(landingPage(['agent'])).toBe('/agent');
    expect(landingPage(['supervisor'])).toBe('/supervisor');
    expect(landingPage(['admin'])).toBe('/admin/users');
    expect(landingPage(['supervisor', 'agent'])).toBe('/agent');
    expect(landingPage(['admin', 'supervisor'])).toBe('/supervisor');
    expect(landingPage(['qa'])).toBe('/recordings');
    expect(landingPage(['unit'])).toBe('/tickets');
  });

  it('shows menu entries by permission', () => {
    expect(allowedPages(['agent']).map((p) => p.path)).toEqual(['/agent', '/tickets', '/recordings']);
    expect(allowedPages(['supervisor']).map((p) => p.path)).toEqual(['/tickets', '/supervisor', '/recordings', '/admin/audit']);
    expect(allowedPages(['admin']).map((p) => p.path)).toEqual(['/tickets', '/supervisor', '/recordings', '/admin/users', '/admin/groups', '/admin/refdata', '/admin/audit', '/admin/province']);
    expect(allowedPages(['qa']).map((p) => p.path)).toEqual(['/tickets', '/recordings']);
    expect(allowedPages(['unit']).map((p) => p.path)).toEqual(['/tickets']);
  });

  it('parses hashes', () => {
    expect(pathFromHash('#/admin/users/')).toBe('/admin/users');
    expect(pathFromHash('#/agent?x=1')).toBe('/agent');
    expect(pathFromHash('')).toBe('/');
    expect(pathFromHash('#junk')).toBe('/');
  });

  it('redirects to the landing page when a page is not allowed', () => {
    expect(resolvePage('#/admin/users', ['agent'])).toEqual({ page: '/agent', redirect: true });
    expect(resolvePage('#/admin/users', ['admin'])).toEqual({ page: '/admin/users', redirect: false });
    expect(resolvePage('', ['qa'])).toEqual({ page: '/recordings', redirect: true });
    expect(resolvePage('', ['unit'])).toEqual({ page: '/tickets', redirect: true });
  });
});
