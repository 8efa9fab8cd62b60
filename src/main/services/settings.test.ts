import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { recordingLogger } from '../testing/fake-electron.js';
import { openSettingsStore, PRESET_ENV, readPreset, SETTINGS_FILE } from './settings.js';

let userDataDir: string;
let exeDir: string;

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(tmpdir(), 'hotline-userdata-'));
  exeDir = await mkdtemp(path.join(tmpdir(), 'hotline-exe-'));
});
afterEach(async () => {
  await rm(userDataDir, { recursive: true, force: true });
  await rm(exeDir, { recursive: true, force: true });
});

const open = (env: Record<string, string | undefined> = {}, log = silentLogger) =>
  openSettingsStore({ userDataDir, preset: { env, exeDir }, log });

describe('readPreset', () => {
  it('finds nothing by default', async () => {
    expect(await readPreset({ env: {}, exeDir }, silentLogger)).toBeNull();
  });

  it('reads the installer-written server-url.txt, tolerating a BOM, CRLF and blank lines', async () => {
    await writeFile(path.join(exeDir, 'server-url.txt'), '\uFEFF\r\n  https://hotline.example.gov.cn:8443  \r\n');
    expect(await readPreset({ env: {}, exeDir }, silentLogger)).toEqual({
      serverUrl: 'https://hotline.example.gov.cn:8443',
      source: path.join(exeDir, 'server-url.txt'),
    });
  });

  it('reads preset.json', async () => {
    await writeFile(path.join(exeDir, 'preset.json'), JSON.stringify({ serverUrl: 'https://json.example' }));
    expect((await readPreset({ env: {}, exeDir }, silentLogger))?.serverUrl).toBe('https://json.example');
  });

  it('prefers the environment variable over files, and the text file over the JSON one', async () => {
    await writeFile(path.join(exeDir, 'server-url.txt'), 'https://txt.example');
    await writeFile(path.join(exeDir, 'preset.json'), JSON.stringify({ serverUrl: 'https://json.example' }));
    expect((await readPreset({ env: { [PRESET_ENV]: 'https://env.example' }, exeDir }, silentLogger))?.serverUrl).toBe(
      'https://env.example',
    );
    expect((await readPreset({ env: {}, exeDir }, silentLogger))?.serverUrl).toBe('https://txt.example');
  });

  it('skips invalid candidates with a warning', async () => {
    const log = recordingLogger();
    await writeFile(path.join(exeDir, 'server-url.txt'), 'javascript:alert(1)');
    await writeFile(path.join(exeDir, 'preset.json'), '{ not json');
    expect(await readPreset({ env: { [PRESET_ENV]: 'ftp://x' }, exeDir }, log)).toBeNull();
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(3);
  });
});

describe('openSettingsStore', () => {
  it('starts with no server', async () => {
    const s = await open();
    expect(s.get()).toEqual({ serverUrl: null });
    expect(s.hotkeyOverrides()).toEqual({});
  });

  it('uses the preset until the user chooses, then the user value wins and persists', async () => {
    await writeFile(path.join(exeDir, 'server-url.txt'), 'https://preset.example');
    const s = await open();
    expect(s.get()).toEqual({ serverUrl: 'https://preset.example' });

    expect(await s.setServerUrl('https://chosen.example')).toEqual({ serverUrl: 'https://chosen.example' });
    const stored = JSON.parse(await readFile(path.join(userDataDir, SETTINGS_FILE), 'utf8')) as unknown;
    expect(stored).toEqual({ serverUrl: 'https://chosen.example' });

    // A later redeployment with another preset does not override the user's choice.
    await writeFile(path.join(exeDir, 'server-url.txt'), 'https://new-preset.example');
    const reopened = await open({ [PRESET_ENV]: 'https://env.example' });
    expect(reopened.get()).toEqual({ serverUrl: 'https://chosen.example' });
  });

  it('follows a new preset while the user has not chosen', async () => {
    await writeFile(path.join(exeDir, 'server-url.txt'), 'https://one.example');
    expect((await open()).get().serverUrl).toBe('https://one.example');
    await writeFile(path.join(exeDir, 'server-url.txt'), 'https://two.example');
    expect((await open()).get().serverUrl).toBe('https://two.example');
  });

  it('rejects an invalid URL and keeps the previous value', async () => {
    const s = await open();
    await s.setServerUrl('https://ok.example');
    await expect(s.setServerUrl('file:///etc/passwd')).rejects.toThrow();
    expect(s.get().serverUrl).toBe('https://ok.example');
  });

  it('survives a corrupt or foreign settings file', async () => {
    const log = recordingLogger();
    await writeFile(path.join(userDataDir, SETTINGS_FILE), '{"serverUrl": 42');
    expect((await open({}, log)).get()).toEqual({ serverUrl: null });
    await writeFile(path.join(userDataDir, SETTINGS_FILE), JSON.stringify({ serverUrl: 'javascript:x' }));
    expect((await open({}, log)).get()).toEqual({ serverUrl: null });
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('reads hotkey overrides but never exposes them through get()', async () => {
    await writeFile(
      path.join(userDataDir, SETTINGS_FILE),
      JSON.stringify({ serverUrl: 'https://a.example', hotkeys: { answer: 'CommandOrControl+Shift+F9' } }),
    );
    const s = await open();
    expect(s.hotkeyOverrides()).toEqual({ answer: 'CommandOrControl+Shift+F9' });
    expect(s.get()).toEqual({ serverUrl: 'https://a.example' });
    await s.setServerUrl('https://b.example');
    const stored = JSON.parse(await readFile(path.join(userDataDir, SETTINGS_FILE), 'utf8')) as { hotkeys?: unknown };
    expect(stored.hotkeys).toEqual({ answer: 'CommandOrControl+Shift+F9' });
  });

  it('serializes concurrent saves; the last call wins on disk', async () => {
    const s = await open();
    await Promise.all([s.setServerUrl('https://one.example'), s.setServerUrl('https://two.example')]);
    const stored = JSON.parse(await readFile(path.join(userDataDir, SETTINGS_FILE), 'utf8')) as { serverUrl: string };
    expect(stored.serverUrl).toBe('https://two.example');
    expect(s.get().serverUrl).toBe('https://two.example');
  });
});
