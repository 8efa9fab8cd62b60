import { describe, expect, it } from 'vitest';
import type { DesktopSettings } from '../../shared/ipc.js';
import { FakeWebContents } from '../testing/fake-electron.js';
import { sendToRenderer } from './events.js';
import { createInvokeHandlers, type HandlerDeps } from './handlers.js';

function setup(initial: string | null) {
  let settings: DesktopSettings = { serverUrl: initial };
  const log: string[] = [];
  const deps: HandlerDeps = {
    settings: {
      get: () => settings,
      setServerUrl: async (url) => {
        settings = { serverUrl: url };
        return settings;
      },
    },
    notify: (n) => log.push(`notify ${n.title}`),
    focusWindow: () => log.push('focus'),
    onServerOriginChanged: () => log.push('origin-changed'),
  };
  return { handlers: createInvokeHandlers(deps), log };
}

describe('createInvokeHandlers', () => {
  it('signals an origin change (so main reloads for the new CSP) only when the origin moves', async () => {
    const { handlers, log } = setup(null);
    await handlers['settings:set-server-url']('https://a.example/');
    expect(log).toEqual(['origin-changed']);
    await handlers['settings:set-server-url']('https://a.example/other-path');
    expect(log).toEqual(['origin-changed']);
    await handlers['settings:set-server-url']('https://a.example:8443/');
    expect(log).toEqual(['origin-changed', 'origin-changed']);
  });

  it('delegates notifications and focus', async () => {
    const { handlers, log } = setup('https://a.example');
    await handlers['notification:show']({ title: '来电', body: '', focusOnClick: true });
    await handlers['window:focus']();
    expect(log).toEqual(['notify 来电', 'focus']);
    expect(await handlers['settings:get']()).toEqual({ serverUrl: 'https://a.example' });
  });
});

describe('sendToRenderer', () => {
  it('pushes typed events to a live renderer and skips a destroyed one', () => {
    const wc = new FakeWebContents();
    expect(sendToRenderer(wc, 'hotkey:pressed', 'answer')).toBe(true);
    expect(wc.sent).toEqual([{ channel: 'hotkey:pressed', args: ['answer'] }]);
    wc.destroyed = true;
    expect(sendToRenderer(wc, 'hotkey:pressed', 'hangup')).toBe(false);
    expect(sendToRenderer(null, 'hotkey:pressed', 'hangup')).toBe(false);
    expect(wc.sent).toHaveLength(1);
  });
});
