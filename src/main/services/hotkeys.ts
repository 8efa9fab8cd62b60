/**
 * System-wide hotkeys, so an agent can answer or hang up while typing in another program.
 * Main only maps accelerators to `Hotkey` names and pushes `hotkey:pressed`; what a hotkey
 * does is the renderer's business.
 *
 * Defaults avoid chords that office PCs here commonly reserve: Ctrl+Alt+A (QQ screenshot; also
 * the deepin/UOS screenshot), Ctrl+Alt+R (deepin/UOS screen recording), Ctrl+Alt+Z (QQ), Ctrl+Alt+T
 * (Linux terminal), Ctrl+Alt+Fn (Linux VT switch) and bare F-keys (browsers and Office use them).
 * Letters follow the pinyin: J 接听 answer, G 挂断 hang up, K 空闲 ready toggle, M mute.
 * A site can override any of them in settings.json (`hotkeys`); failures are reported, not fatal.
 */
import { hotkeys, type Hotkey } from '../../shared/ipc.js';
import type { Logger } from '../log.js';
import type { HotkeyOverrides } from './settings.js';

export const defaultHotkeyBindings: Readonly<Record<Hotkey, string>> = {
  answer: 'CommandOrControl+Alt+J',
  hangup: 'CommandOrControl+Alt+G',
  'toggle-ready': 'CommandOrControl+Alt+K',
  'toggle-mute': 'CommandOrControl+Alt+M',
};

export function resolveHotkeyBindings(overrides: HotkeyOverrides = {}): Record<Hotkey, string> {
  const bindings = { ...defaultHotkeyBindings };
  for (const key of hotkeys) {
    const o = overrides[key];
    if (o) bindings[key] = o;
  }
  return bindings;
}

/** The part of Electron's `globalShortcut` used here. */
export interface GlobalShortcutPort {
  register(accelerator: string, callback: () => void): boolean;
  unregisterAll(): void;
}

export interface HotkeyRegistration {
  registered: { hotkey: Hotkey; accelerator: string }[];
  failed: { hotkey: Hotkey; accelerator: string; reason: 'taken' | 'duplicate' | 'invalid' }[];
}

/**
 * Registers each binding. `register` returns false when another program owns the chord and
 * throws on a malformed accelerator; both are collected so main can log one clear line.
 */
export function registerHotkeys(
  shortcuts: GlobalShortcutPort,
  bindings: Readonly<Record<Hotkey, string>>,
  onPressed: (hotkey: Hotkey) => void,
  log: Logger,
): HotkeyRegistration {
  const result: HotkeyRegistration = { registered: [], failed: [] };
  const seen = new Set<string>();
  for (const hotkey of hotkeys) {
    const accelerator = bindings[hotkey];
    const norm = accelerator.toLowerCase().replace(/\s+/g, '');
    if (seen.has(norm)) {
      result.failed.push({ hotkey, accelerator, reason: 'duplicate' });
      continue;
    }
    seen.add(norm);
    try {
      if (shortcuts.register(accelerator, () => onPressed(hotkey))) result.registered.push({ hotkey, accelerator });
      else result.failed.push({ hotkey, accelerator, reason: 'taken' });
    } catch {
      result.failed.push({ hotkey, accelerator, reason: 'invalid' });
    }
  }
  if (result.failed.length > 0) log.warn('some global hotkeys could not be registered', result.failed);
  return result;
}
