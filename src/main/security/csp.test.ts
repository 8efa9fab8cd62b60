import { describe, expect, it } from 'vitest';
import { buildCsp, serverConnectSources } from './csp.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name ?? '', sources];
    }),
  );
}

describe('buildCsp', () => {
  it('is the strict baseline when no server is configured', () => {
    expect(buildCsp(null)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "media-src 'self' blob: mediastream:; connect-src 'self'; font-src 'self' data:; object-src 'none'; " +
        "base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
  });

  it('lets the page reach the https server and its wss twin, by origin only', () => {
    const d = directives(buildCsp('https://hotline.example.gov.cn:8443/api/'));
    expect(d.get('connect-src')).toEqual(["'self'", 'https://hotline.example.gov.cn:8443', 'wss://hotline.example.gov.cn:8443']);
  });

  it('maps http to ws and drops default ports', () => {
    expect(serverConnectSources('http://10.1.2.3:80/')).toEqual(['http://10.1.2.3', 'ws://10.1.2.3']);
    expect(serverConnectSources('http://10.1.2.3:3000')).toEqual(['http://10.1.2.3:3000', 'ws://10.1.2.3:3000']);
  });

  it('never widens script-src, even for the server', () => {
    const d = directives(buildCsp('https://a.example'));
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
  });

  it('cannot be injected through a crafted server URL', () => {
    for (const bad of [
      "https://a.example; script-src 'unsafe-eval'",
      'https://a.example script-src *',
      'javascript:alert(1)',
      'ftp://a.example',
      'https://user:pw@a.example',
      'not a url',
      '',
    ]) {
      const csp = buildCsp(bad);
      expect(directives(csp).get('connect-src'), bad).toEqual(["'self'"]);
      expect(csp.split(';')).toHaveLength(11);
    }
  });
});

describe('SIP WebSocket servers in the CSP', () => {
  it('adds the published ws/wss origins to connect-src, and nothing else', () => {
    const csp = buildCsp('https://hotline.example.gov.cn', ['wss://sip.example.gov.cn:7443/ws', 'ws://10.0.0.5:5066', 'https://evil.example', 'wss://u:p@x.example', 'nonsense']);
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src'))!;
    expect(connect).toBe("connect-src 'self' https://hotline.example.gov.cn wss://hotline.example.gov.cn wss://sip.example.gov.cn:7443 ws://10.0.0.5:5066");
  });
});
