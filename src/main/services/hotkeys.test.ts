import { describe, expect, it } from 'vitest';
import { hotkeys, type Hotkey } from '../../shared/ipc.js';
import { silentLogger } from '../log.js';
import { FakeGlobalShortcut, recordingLogger } from '../testing/fake-electron.js';
import { defaultHotkeyBindings, registerHotkeys, resolveHotkeyBindings } from './hotkeys.js';

describe('defaultHotkeyBindings', () => {
  it('binds every hotkey, each to a distinct chord', () => {
    expect(Object.keys(defaultHotkeyBindings).sort()).toEqual([...hotkeys].sort());
    expect(new Set(Object.values(defaultHotkeyBindings)).size).toBe(hotkeys.length);
  });

  it('avoids chords that QQ, deepin/UOS or Linux desktops already own', () => {
    for (const taken of ['CommandOrControl+Alt+A', 'CommandOrControl+Alt+R', 'CommandOrControl+Alt+Z', 'CommandOrControl+Alt+T']) {
      expect(Object.values(defaultHotkeyBindings)).not.toContain(taken);
    }
  });
});

describe('resolveHotkeyBindings', () => {
  it('applies overrides over the defaults', () => {
    expect(resolveHotkeyBindings({ answer: 'CommandOrControl+Shift+F9' })).toEqual({
      ...defaultHotkeyBindings,
      answer: 'CommandOrControl+Shift+F9',
    });
  });
});

describe('registerHotkeys', () => {
  it('registers all defaults and reports presses by hotkey name', () => {
    const shortcuts = new FakeGlobalShortcut();
    const pressed: Hotkey[] = [];
    const result = registerHotkeys(shortcuts, defaultHotkeyBindings, (k) => pressed.push(k), silentLogger);
    expect(result.failed).toEqual([]);
    expect(result.registered).toHaveLength(hotkeys.length);
    shortcuts.press(defaultHotkeyBindings.answer);
    shortcuts.press(defaultHotkeyBindings['toggle-mute']);
    expect(pressed).toEqual(['answer', 'toggle-mute']);
  });

  it('keeps going when a chord is taken, invalid or duplicated, and says which', () => {
    const shortcuts = new FakeGlobalShortcut();
    shortcuts.taken.add(defaultHotkeyBindings.hangup);
    const log = recordingLogger();
    const result = registerHotkeys(
      shortcuts,
      { ...defaultHotkeyBindings, 'toggle-ready': 'Hyper+Nonsense!', 'toggle-mute': defaultHotkeyBindings.answer.toLowerCase() },
      () => {},
      log,
    );
    expect(result.registered.map((r) => r.hotkey)).toEqual(['answer']);
    expect(result.failed.map((f) => [f.hotkey, f.reason])).toEqual([
      ['hangup', 'taken'],
      ['toggle-ready', 'invalid'],
      ['toggle-mute', 'duplicate'],
    ]);
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });
});
