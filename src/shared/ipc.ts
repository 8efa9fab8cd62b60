/**
 * The desktop bridge contract: what preload exposes as `window.desktop` and the IPC
 * channels behind it, split by direction. The renderer feature-detects `window.desktop`
 * (absent in web mode). Pure types and constants: no electron or DOM imports.
 */
import { z } from 'zod';

export const DesktopSettingsSchema = z.object({
  /** Backend origin, e.g. https://hotline.example.gov.cn:8443 */
  serverUrl: z.url({ protocol: /^https?$/ }).nullable(),
});
export type DesktopSettings = z.infer<typeof DesktopSettingsSchema>;

export const NotificationSchema = z.object({
  title: z.string().max(120),
  body: z.string().max(500),
  /** Bring the window forward when clicked (incoming call, supervisor message). */
  focusOnClick: z.boolean().default(true),
});

export const hotkeys = ['answer', 'hangup', 'toggle-ready', 'toggle-mute'] as const;
export type Hotkey = (typeof hotkeys)[number];

/** renderer → main, request/response (ipcRenderer.invoke). */
export const invokeChannels = {
  'settings:get': { args: z.tuple([]), result: DesktopSettingsSchema },
  'settings:set-server-url': { args: z.tuple([z.url({ protocol: /^https?$/ })]), result: DesktopSettingsSchema },
  'notification:show': { args: z.tuple([NotificationSchema]), result: z.void() },
  'window:focus': { args: z.tuple([]), result: z.void() },
} as const;
export type InvokeChannel = keyof typeof invokeChannels;
/** What the renderer passes to a channel (before defaults apply). */
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['args']>;
/** What main's handler receives once the arguments passed their schema. */
export type InvokeArgs<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['args']>;
/** What main's handler returns and the renderer's promise resolves to. */
export type InvokeResult<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['result']>;

/** main → renderer pushes. */
export interface MainEvents {
  'hotkey:pressed': Hotkey;
}
export const mainEventChannels = ['hotkey:pressed'] as const satisfies readonly (keyof MainEvents)[];

/** What `window.desktop` offers. Named verbs only: never a generic invoke. */
export interface DesktopApi {
  readonly platform: string;
  readonly appVersion: string;
  settings: {
    get(): Promise<DesktopSettings>;
    /**
     * Saves the server URL the user chose (it then wins over an installer preset). When the
     * origin changes, main reloads the window shortly after resolving, because the page's
     * CSP `connect-src` is fixed at load time and must name the new server.
     */
    setServerUrl(url: string): Promise<DesktopSettings>;
  };
  notify(n: z.input<typeof NotificationSchema>): Promise<void>;
  focusWindow(): Promise<void>;
  /** Returns an unsubscribe function. */
  onHotkey(listener: (key: Hotkey) => void): () => void;
}
