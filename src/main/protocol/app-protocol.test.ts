import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsp } from '../security/csp.js';
import { recordingLogger } from '../testing/fake-electron.js';
import { appScheme, contentTypeFor, createAppProtocolHandler, resolveAppPath } from './app-protocol.js';

let base: string;
let rendererDir: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'hotline-protocol-'));
  rendererDir = path.join(base, 'out', 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>desk</title>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(rendererDir, 'assets', 'ring tone.mp3'), Buffer.from([1, 2, 3]));
  // Secrets just outside the renderer directory, the targets of traversal attempts.
  await writeFile(path.join(base, 'out', 'secret.txt'), 'secret');
  await writeFile(path.join(base, 'out', 'renderer-evil.txt'), 'secret');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('appScheme', () => {
  it('is standard and secure but neither CSP-bypassing nor CORS-open', () => {
    expect(appScheme.scheme).toBe('app');
    expect(appScheme.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true, stream: true });
    expect(appScheme.privileges?.bypassCSP).toBeUndefined();
    expect(appScheme.privileges?.corsEnabled).toBeUndefined();
  });
});

describe('resolveAppPath', () => {
  it('maps the root and nested files into the renderer directory', () => {
    expect(resolveAppPath(rendererDir, 'app://desktop/')).toEqual({ ok: true, filePath: path.join(rendererDir, 'index.html'), spaFallback: false });
    expect(resolveAppPath(rendererDir, 'app://desktop/assets/app.js?v=1#x')).toMatchObject({ ok: true, filePath: path.join(rendererDir, 'assets', 'app.js') });
    expect(resolveAppPath(rendererDir, 'app://desktop/assets/ring%20tone.mp3')).toMatchObject({ ok: true, filePath: path.join(rendererDir, 'assets', 'ring tone.mp3') });
  });

  it('marks extensionless paths as client-side routes', () => {
    expect(resolveAppPath(rendererDir, 'app://desktop/tickets/42')).toMatchObject({ ok: true, spaFallback: true });
    expect(resolveAppPath(rendererDir, 'app://desktop/missing.js')).toMatchObject({ ok: true, spaFallback: false });
  });

  it('refuses every way out of the renderer directory', () => {
    for (const url of [
      'app://desktop/..%2fsecret.txt',
      'app://desktop/..%2F..%2Fsecret.txt',
      'app://desktop/assets/..%2f..%2fsecret.txt',
      'app://desktop/%2e%2e%2fsecret.txt',
      'app://desktop/..%5csecret.txt',
      'app://desktop/assets%5c..%5c..%5csecret.txt',
      'app://desktop/%2fetc%2fpasswd/..%2f..%2f..%2f..%2fetc%2fpasswd',
      'app://desktop/C:%2fWindows%2fwin.ini',
      'app://desktop/index.html%00.js',
    ]) {
      const r = resolveAppPath(rendererDir, url);
      expect(r.ok, url).toBe(false);
    }
  });

  it('keeps plain dot segments inside (the URL parser folds them first)', () => {
    // `app://desktop/../secret.txt` parses as `app://desktop/secret.txt`: still inside.
    const r = resolveAppPath(rendererDir, 'app://desktop/../../secret.txt');
    expect(r).toMatchObject({ ok: true, filePath: path.join(rendererDir, 'secret.txt') });
  });

  it('does not treat a sibling directory with a common prefix as inside', () => {
    // Guards against a naive startsWith(rendererDir) check: out/renderer-evil.txt.
    const r = resolveAppPath(rendererDir, 'app://desktop/..%2frenderer-evil.txt');
    expect(r.ok).toBe(false);
  });

  it('only serves its own host, and rejects malformed escapes', () => {
    expect(resolveAppPath(rendererDir, 'app://other/index.html')).toEqual({ ok: false, status: 404 });
    expect(resolveAppPath(rendererDir, 'https://desktop/index.html')).toEqual({ ok: false, status: 404 });
    expect(resolveAppPath(rendererDir, 'app://desktop/%E0%A4%A')).toEqual({ ok: false, status: 400 });
  });
});

describe('createAppProtocolHandler', () => {
  const csp = buildCsp('https://hotline.example.gov.cn');
  const handler = (log = recordingLogger()) =>
    createAppProtocolHandler({ rendererDir, csp: () => csp, readFile: (p) => readFile(p), log });

  it('serves files with their type and the CSP', async () => {
    const res = await handler()(new Request('app://desktop/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(csp);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>desk</title>');

    const js = await handler()(new Request('app://desktop/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const mp3 = await handler()(new Request('app://desktop/assets/ring%20tone.mp3'));
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    expect(new Uint8Array(await mp3.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('asks for the CSP on every response, so a new server URL applies after reload', async () => {
    let server = 'https://a.example';
    const h = createAppProtocolHandler({ rendererDir, csp: () => buildCsp(server), readFile: (p) => readFile(p), log: recordingLogger() });
    expect((await h(new Request('app://desktop/'))).headers.get('content-security-policy')).toContain('https://a.example');
    server = 'https://b.example';
    expect((await h(new Request('app://desktop/'))).headers.get('content-security-policy')).toContain('https://b.example');
  });

  it('refuses traversal with 403 and does not read the file', async () => {
    const log = recordingLogger();
    const read: string[] = [];
    const h = createAppProtocolHandler({
      rendererDir,
      csp: () => csp,
      readFile: (p) => {
        read.push(p);
        return readFile(p);
      },
      log,
    });
    const res = await h(new Request('app://desktop/..%2fsecret.txt'));
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('secret');
    expect(read).toEqual([]);
    expect(log.lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('falls back to index.html for client-side routes but 404s missing assets', async () => {
    const route = await handler()(new Request('app://desktop/tickets/42'));
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>desk</title>');
    expect((await handler()(new Request('app://desktop/assets/missing.js'))).status).toBe(404);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await handler()(new Request('app://desktop/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await handler()(new Request('app://desktop/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
  });

  it('turns unexpected read errors into 500', async () => {
    const h = createAppProtocolHandler({
      rendererDir,
      csp: () => csp,
      readFile: () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })),
      log: recordingLogger(),
    });
    expect((await h(new Request('app://desktop/index.html'))).status).toBe(500);
  });
});

describe('contentTypeFor', () => {
  it('falls back to octet-stream', () => {
    expect(contentTypeFor('x.woff2')).toBe('font/woff2');
    expect(contentTypeFor('x.unknown')).toBe('application/octet-stream');
  });
});
