import { describe, expect, it } from 'vitest';
import { encodeLaunchArgs } from '../shared/desktop-launch-args.js';
import type { Hotkey } from '../shared/ipc.js';
import { createDesktopApi, type IpcRendererPort } from './desktop-api.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

class FakeIpcRenderer implements IpcRendererPort {
  readonly invoked: { channel: string; args: unknown[] }[] = [];
  readonly listeners = new Map<string, Listener[]>();
  reply: unknown = undefined;

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.reply;
  }
  on(channel: string, listener: Listener): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  removeListener(channel: string, listener: Listener): this {
    this.listeners.set(channel, (this.listeners.get(channel) ?? []).filter((l) => l !== listener));
    return this;
  }
  emit(channel: string, event: unknown, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l(event, ...args);
  }
}

const env = { platform: 'win32', argv: ['electron', '--type=renderer', ...encodeLaunchArgs({ appVersion: '0.1.0' })] };

describe('createDesktopApi', () => {
  it('exposes platform and version without exposing process', () => {
    const api = createDesktopApi(new FakeIpcRenderer(), env);
    expect(api.platform).toBe('win32');
    expect(api.appVersion).toBe('0.1.0');
    expect(Object.keys(api).sort()).toEqual(['appVersion', 'focusWindow', 'notify', 'onHotkey', 'platform', 'settings']);
  });

  it('maps each verb to its contract channel', async () => {
    const ipc = new FakeIpcRenderer();
    const api = createDesktopApi(ipc, env);
    ipc.reply = { serverUrl: null };
    await expect(api.settings.get()).resolves.toEqual({ serverUrl: null });
    await api.settings.setServerUrl('https://a.example');
    await api.notify({ title: '来电', body: 'x' });
    await api.focusWindow();
    expect(ipc.invoked).toEqual([
      { channel: 'settings:get', args: [] },
      { channel: 'settings:set-server-url', args: ['https://a.example'] },
      { channel: 'notification:show', args: [{ title: '来电', body: 'x' }] },
      { channel: 'window:focus', args: [] },
    ]);
  });

  it('delivers hotkeys without the IPC event (whose sender is ipcRenderer) and unsubscribes', () => {
    const ipc = new FakeIpcRenderer();
    const api = createDesktopApi(ipc, env);
    const got: unknown[][] = [];
    const off = api.onHotkey((...args: [Hotkey]) => got.push(args));
    const event = { sender: ipc };
    ipc.emit('hotkey:pressed', event, 'answer');
    expect(got).toEqual([['answer']]);
    off();
    ipc.emit('hotkey:pressed', event, 'hangup');
    expect(got).toHaveLength(1);
    expect(ipc.listeners.get('hotkey:pressed')).toEqual([]);
  });

  it('keeps subscriptions independent', () => {
    const ipc = new FakeIpcRenderer();
    const api = createDesktopApi(ipc, env);
    const a: Hotkey[] = [];
    const b: Hotkey[] = [];
    const offA = api.onHotkey((k) => a.push(k));
    api.onHotkey((k) => b.push(k));
    offA();
    ipc.emit('hotkey:pressed', {}, 'toggle-mute');
    expect(a).toEqual([]);
    expect(b).toEqual(['toggle-mute']);
  });
});
