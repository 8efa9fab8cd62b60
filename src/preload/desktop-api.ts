/**
 * preload/ builds `window.desktop` (the `DesktopApi` of src/shared/ipc.ts) and nothing else.
 * The page gets named verbs only: no `ipcRenderer`, no generic invoke, no `process`. Listener
 * wrappers drop Electron's event object, whose `sender` would otherwise hand the page
 * `ipcRenderer` itself.
 *
 * Only types are imported from the contract: a runtime import would pull zod into this bundle,
 * and a sandboxed preload must stay small and self-contained. Main validates every argument.
 */
import type { DesktopApi, Hotkey, InvokeChannel, InvokeRequest, InvokeResult, MainEvents } from '../shared/ipc.js';
import { decodeLaunchArgs } from '../shared/desktop-launch-args.js';

/** The part of `ipcRenderer` used here; the real one satisfies it. */
export interface IpcRendererPort {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface PreloadEnv {
  platform: string;
  argv: readonly string[];
}

export function createDesktopApi(ipc: IpcRendererPort, env: PreloadEnv): DesktopApi {
  const invoke = <C extends InvokeChannel>(channel: C, ...args: InvokeRequest<C>) =>
    ipc.invoke(channel, ...args) as Promise<InvokeResult<C>>;

  const subscribe = <E extends keyof MainEvents>(channel: E, listener: (payload: MainEvents[E]) => void) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload as MainEvents[E]);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };

  const { appVersion } = decodeLaunchArgs(env.argv);
  return {
    platform: env.platform,
    appVersion,
    settings: {
      get: () => invoke('settings:get'),
      setServerUrl: (url) => invoke('settings:set-server-url', url),
    },
    notify: (n) => invoke('notification:show', n),
    focusWindow: () => invoke('window:focus'),
    onHotkey: (listener: (key: Hotkey) => void) => subscribe('hotkey:pressed', listener),
  };
}
