/**
 * Loads the site's voice-service configuration (HOTLINE_IVR_FILE, default the shipped
 * resources/ivr/ivr.json): validates it with the shared schema and resolves every
 * announcement to an absolute path that exists, so a missing recording stops the start
 * with a message instead of a silent call.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { IvrConfigSchema, type IvrConfig } from '../../../shared/ivr.js';

export function parseIvrConfig(json: unknown, baseDir: string): IvrConfig {
  const parsed = IvrConfigSchema.safeParse(json);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const c = parsed.data;
  const file = (f: string, what: string): string => {
    const p = isAbsolute(f) ? f : resolve(baseDir, f);
    if (!existsSync(p)) throw new Error(`${what}: announcement file ${p} does not exist`);
    return p;
  };
  return {
    ...c,
    welcome: c.welcome === undefined ? undefined : file(c.welcome, 'welcome'),
    menu: c.menu && { ...c.menu, prompt: file(c.menu.prompt, 'menu.prompt') },
    position: c.position && {
      ...c.position,
      ahead: file(c.position.ahead, 'position.ahead'),
      numbers: c.position.numbers.map((f, i) => file(f, `position.numbers.${i}`)),
      callers: file(c.position.callers, 'position.callers'),
      next: c.position.next === undefined ? undefined : file(c.position.next, 'position.next'),
      many: file(c.position.many, 'position.many'),
    },
    hold: file(c.hold, 'hold'),
    closed: file(c.closed, 'closed'),
    busy: file(c.busy, 'busy'),
  };
}

export function loadIvrConfig(path: string): IvrConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`voice-service config ${path}: ${(err as Error).message}`);
  }
  try {
    return parseIvrConfig(json, dirname(path));
  } catch (err) {
    throw new Error(`voice-service config ${path}: ${(err as Error).message}`);
  }
}
