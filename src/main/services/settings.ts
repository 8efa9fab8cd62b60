/**
 * services/ owns main's long-lived pieces: settings, tray, global hotkeys, notifications and
 * the (future) updater. Each takes its Electron objects as parameters so it can be tested.
 *
 * Settings live in `<userData>/settings.json`, written atomically (temp file + rename).
 * Where the server URL comes from, first match wins:
 *   1. the value the user saved in the app (`settings:set-server-url`), once set;
 *   2. the `HOTLINE_SERVER_URL` environment variable (per-machine or per-launch override);
 *   3. a preset file beside the executable, written by the NSIS installer when run as
 *      `热线坐席-Setup.exe /S /SERVER=https://hotline.example.gov.cn:8443` (see
 *      resources/installer.nsh) or dropped there by a site's deployment tooling:
 *      `server-url.txt` (the URL on one line) or `preset.json` (`{ "serverUrl": "…" }`).
 * Presets are re-read at each start, so a redeployment with a new `/SERVER=` takes effect
 * unless the user has chosen a server themselves.
 *
 * The file may also hold `hotkeys`, per-hotkey accelerator overrides for sites whose other
 * software already owns a default; that part is main-only and never sent to the renderer.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DesktopSettingsSchema, hotkeys, type DesktopSettings, type Hotkey } from '../../shared/ipc.js';
import type { Logger } from '../log.js';

export const SETTINGS_FILE = 'settings.json';
export const PRESET_ENV = 'HOTLINE_SERVER_URL';
export const PRESET_TEXT_FILE = 'server-url.txt';
export const PRESET_JSON_FILE = 'preset.json';

const ServerUrl = DesktopSettingsSchema.shape.serverUrl.unwrap();

const SettingsFileSchema = z.object({
  serverUrl: ServerUrl.nullable().optional(),
  hotkeys: z.partialRecord(z.enum(hotkeys), z.string().min(1).max(64)).optional(),
});
type SettingsFile = z.infer<typeof SettingsFileSchema>;

export type HotkeyOverrides = Partial<Record<Hotkey, string>>;

export interface PresetSources {
  env: Readonly<Record<string, string | undefined>>;
  /** Directory of the running executable (`path.dirname(app.getPath('exe'))`). */
  exeDir: string;
}

export type PresetResult = { serverUrl: string; source: string } | null;

function validUrl(value: unknown): string | null {
  const parsed = ServerUrl.safeParse(typeof value === 'string' ? value.trim() : value);
  return parsed.success ? parsed.data : null;
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null;
    throw err;
  }
}

/** Finds the preset server URL (sources 2 and 3 above); invalid candidates are logged and skipped. */
export async function readPreset(sources: PresetSources, log: Logger): Promise<PresetResult> {
  const fromEnv = sources.env[PRESET_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const url = validUrl(fromEnv);
    if (url) return { serverUrl: url, source: PRESET_ENV };
    log.warn(`ignoring ${PRESET_ENV}: not an http(s) URL`);
  }
  const textFile = path.join(sources.exeDir, PRESET_TEXT_FILE);
  try {
    const text = await readOptional(textFile);
    if (text !== null) {
      // Strip a UTF-8 BOM (Notepad) and take the first non-empty line.
      const line = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
      const url = validUrl(line);
      if (url) return { serverUrl: url, source: textFile };
      log.warn(`ignoring ${textFile}: no valid http(s) URL`);
    }
  } catch (err) {
    log.warn(`cannot read ${textFile}`, err);
  }
  const jsonFile = path.join(sources.exeDir, PRESET_JSON_FILE);
  try {
    const text = await readOptional(jsonFile);
    if (text !== null) {
      const data: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
      const url = validUrl((data as { serverUrl?: unknown } | null)?.serverUrl);
      if (url) return { serverUrl: url, source: jsonFile };
      log.warn(`ignoring ${jsonFile}: no valid serverUrl`);
    }
  } catch (err) {
    log.warn(`cannot read ${jsonFile}`, err);
  }
  return null;
}

export interface SettingsStore {
  /** What the renderer sees. */
  get(): DesktopSettings;
  setServerUrl(url: string): Promise<DesktopSettings>;
  hotkeyOverrides(): HotkeyOverrides;
}

export interface SettingsStoreDeps {
  userDataDir: string;
  preset: PresetSources;
  log: Logger;
}

async function readSettingsFile(file: string, log: Logger): Promise<SettingsFile> {
  let text: string | null;
  try {
    text = await readOptional(file);
  } catch (err) {
    log.warn(`cannot read ${file}; using defaults`, err);
    return {};
  }
  if (text === null) return {};
  try {
    const parsed = SettingsFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    log.warn(`${file} does not match the settings schema; using defaults`, parsed.error.issues);
  } catch (err) {
    log.warn(`${file} is not valid JSON; using defaults`, err);
  }
  return {};
}

export async function openSettingsStore(deps: SettingsStoreDeps): Promise<SettingsStore> {
  const file = path.join(deps.userDataDir, SETTINGS_FILE);
  let stored = await readSettingsFile(file, deps.log);
  const preset = await readPreset(deps.preset, deps.log);
  if (preset && !stored.serverUrl) deps.log.info('using preset server URL', { source: preset.source });

  // Writes are chained so two quick saves cannot interleave their temp files.
  let writing: Promise<void> = Promise.resolve();
  const persist = (data: SettingsFile) => {
    const run = async () => {
      await mkdir(deps.userDataDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, 'utf8');
      await rename(tmp, file);
    };
    writing = writing.then(run, run);
    return writing;
  };

  const get = (): DesktopSettings => DesktopSettingsSchema.parse({ serverUrl: stored.serverUrl ?? preset?.serverUrl ?? null });

  return {
    get,
    async setServerUrl(url) {
      const serverUrl = ServerUrl.parse(url);
      const next = { ...stored, serverUrl };
      await persist(next);
      stored = next;
      return get();
    },
    hotkeyOverrides: () => ({ ...stored.hotkeys }),
  };
}
