import { describe, expect, it, vi } from 'vitest';
import { invokeChannels, type DesktopSettings } from '../../shared/ipc.js';
import { silentLogger } from '../log.js';
import { createOriginPolicy } from '../security/origin.js';
import { FakeIpcMain, recordingLogger } from '../testing/fake-electron.js';
import { IpcRejectedError, isTrustedSender, registerInvokeHandlers, type InvokeHandlers } from './register.js';

const policy = createOriginPolicy(undefined);
const appUrl = 'app://desktop/index.html#/calls';

function fakeHandlers(): InvokeHandlers & { calls: string[] } {
  const calls: string[] = [];
  let settings: DesktopSettings = { serverUrl: null };
  return {
    calls,
    'settings:get': () => {
      calls.push('settings:get');
      return settings;
    },
    'settings:set-server-url': async (url) => {
      calls.push(`settings:set-server-url ${url}`);
      settings = { serverUrl: url };
      return settings;
    },
    'notification:show': (n) => {
      calls.push(`notification:show ${n.title} ${n.focusOnClick}`);
    },
    'window:focus': () => {
      calls.push('window:focus');
    },
  };
}

function setup(log = recordingLogger()) {
  const ipc = new FakeIpcMain();
  const handlers = fakeHandlers();
  const unregister = registerInvokeHandlers(ipc, handlers, policy, log);
  return { ipc, handlers, unregister, log };
}

describe('isTrustedSender', () => {
  it('trusts only frames on the app origin', () => {
    expect(isTrustedSender({ senderFrame: { url: appUrl } }, policy)).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: 'https://evil.example/' } }, policy)).toBe(false);
    expect(isTrustedSender({ senderFrame: { url: '' } }, policy)).toBe(false);
    expect(isTrustedSender({ senderFrame: null }, policy)).toBe(false);
  });
});

describe('registerInvokeHandlers', () => {
  it('registers exactly the contract channels', () => {
    const { ipc } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.keys(invokeChannels).sort());
  });

  it('runs the handler for a trusted sender with valid arguments', async () => {
    const { ipc, handlers } = setup();
    await expect(ipc.invoke('settings:set-server-url', appUrl, 'https://hotline.example.gov.cn')).resolves.toEqual({
      serverUrl: 'https://hotline.example.gov.cn',
    });
    await expect(ipc.invoke('settings:get', appUrl)).resolves.toEqual({ serverUrl: 'https://hotline.example.gov.cn' });
    await expect(ipc.invoke('window:focus', appUrl)).resolves.toBeUndefined();
    expect(handlers.calls).toEqual(['settings:set-server-url https://hotline.example.gov.cn', 'settings:get', 'window:focus']);
  });

  it('passes parsed arguments, with schema defaults applied', async () => {
    const { ipc, handlers } = setup();
    await ipc.invoke('notification:show', appUrl, { title: '来电', body: '13800000000' });
    expect(handlers.calls).toEqual(['notification:show 来电 true']);
  });

  it('rejects untrusted senders before validating or handling anything', async () => {
    const { ipc, handlers, log } = setup();
    for (const url of [
      'https://evil.example/',
      'app://evil/index.html',
      'app://desktop.evil/index.html',
      'file:///C:/Users/agent/Downloads/x.html',
      'http://localhost:5173/',
      'about:blank',
      '',
      null,
    ]) {
      await expect(ipc.invoke('settings:set-server-url', url, 'https://attacker.example'), String(url)).rejects.toThrow(
        /untrusted-sender/,
      );
      await expect(ipc.invoke('settings:get', url), String(url)).rejects.toBeInstanceOf(IpcRejectedError);
    }
    expect(handlers.calls).toEqual([]);
    expect(log.lines.filter((l) => l.level === 'warn').length).toBeGreaterThan(0);
  });

  it('rejects invalid arguments without calling the handler', async () => {
    const { ipc, handlers } = setup();
    const bad: [string, unknown[]][] = [
      ['settings:set-server-url', []],
      ['settings:set-server-url', ['javascript:alert(1)']],
      ['settings:set-server-url', ['file:///etc/passwd']],
      ['settings:set-server-url', [42]],
      ['settings:set-server-url', ['https://ok.example', 'extra']],
      ['settings:get', ['unexpected']],
      ['notification:show', [{ title: 'x'.repeat(121), body: '' }]],
      ['notification:show', [{ title: 'ok' }]],
      ['notification:show', ['not an object']],
      ['window:focus', [{}]],
    ];
    for (const [channel, args] of bad) {
      await expect(ipc.invoke(channel, appUrl, ...args), `${channel} ${JSON.stringify(args)}`).rejects.toThrow(/invalid-arguments/);
    }
    expect(handlers.calls).toEqual([]);
  });

  it('refuses to send back a result that breaks the contract', async () => {
    const ipc = new FakeIpcMain();
    const handlers = { ...fakeHandlers(), 'settings:get': () => ({ serverUrl: 'not a url' }) };
    registerInvokeHandlers(ipc, handlers, policy, silentLogger);
    await expect(ipc.invoke('settings:get', appUrl)).rejects.toThrow(/invalid-result/);
  });

  it('propagates handler failures to the caller', async () => {
    const ipc = new FakeIpcMain();
    const failing = vi.fn(() => Promise.reject(new Error('disk full')));
    registerInvokeHandlers(ipc, { ...fakeHandlers(), 'settings:set-server-url': failing }, policy, silentLogger);
    await expect(ipc.invoke('settings:set-server-url', appUrl, 'https://a.example')).rejects.toThrow('disk full');
  });

  it('can be unregistered', () => {
    const { ipc, unregister } = setup();
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });
});
