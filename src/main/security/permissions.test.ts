import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { FakeSession, recordingLogger } from '../testing/fake-electron.js';
import { createOriginPolicy } from './origin.js';
import { decidePermissionCheck, decidePermissionRequest, installPermissionHandlers } from './permissions.js';

const policy = createOriginPolicy(undefined);
const app = 'app://desktop';

describe('decidePermissionRequest', () => {
  it('grants the microphone to the app', () => {
    expect(decidePermissionRequest({ permission: 'media', securityOrigin: app, mediaTypes: ['audio'] }, policy)).toBe(true);
  });

  it('refuses the camera, alone or with the microphone', () => {
    expect(decidePermissionRequest({ permission: 'media', securityOrigin: app, mediaTypes: ['video'] }, policy)).toBe(false);
    expect(decidePermissionRequest({ permission: 'media', securityOrigin: app, mediaTypes: ['audio', 'video'] }, policy)).toBe(false);
    expect(decidePermissionRequest({ permission: 'media', securityOrigin: app, mediaTypes: [] }, policy)).toBe(false);
    expect(decidePermissionRequest({ permission: 'media', securityOrigin: app }, policy)).toBe(false);
  });

  it('refuses the microphone to any other origin', () => {
    for (const origin of ['https://evil.example', 'app://evil', 'file:///', 'http://localhost:5173']) {
      expect(decidePermissionRequest({ permission: 'media', securityOrigin: origin, mediaTypes: ['audio'] }, policy), origin).toBe(false);
    }
  });

  it('falls back to the requesting URL when no security origin is given', () => {
    expect(decidePermissionRequest({ permission: 'media', requestingUrl: 'app://desktop/index.html', mediaTypes: ['audio'] }, policy)).toBe(true);
    expect(decidePermissionRequest({ permission: 'media', mediaTypes: ['audio'] }, policy)).toBe(false);
  });

  it('grants output-device selection and local-network access to the app only', () => {
    for (const permission of ['speaker-selection', 'local-network-access', 'local-network', 'loopback-network']) {
      expect(decidePermissionRequest({ permission, requestingUrl: 'app://desktop/' }, policy), permission).toBe(true);
      expect(decidePermissionRequest({ permission, requestingUrl: 'https://evil.example/' }, policy), permission).toBe(false);
    }
  });

  it('refuses everything else, even to the app', () => {
    for (const permission of [
      'notifications',
      'geolocation',
      'clipboard-read',
      'display-capture',
      'openExternal',
      'fullscreen',
      'midi',
      'hid',
      'usb',
      'serial',
      'fileSystem',
      'unknown',
    ]) {
      expect(decidePermissionRequest({ permission, requestingUrl: 'app://desktop/' }, policy), permission).toBe(false);
    }
  });
});

describe('decidePermissionCheck', () => {
  it('answers audio checks for the app and nothing else', () => {
    expect(decidePermissionCheck({ permission: 'media', requestingOrigin: app, mediaType: 'audio' }, policy)).toBe(true);
    expect(decidePermissionCheck({ permission: 'media', requestingOrigin: app, mediaType: 'video' }, policy)).toBe(false);
    expect(decidePermissionCheck({ permission: 'media', requestingOrigin: app, mediaType: 'unknown' }, policy)).toBe(false);
    expect(decidePermissionCheck({ permission: 'media', requestingOrigin: 'https://evil.example', mediaType: 'audio' }, policy)).toBe(false);
    expect(decidePermissionCheck({ permission: 'notifications', requestingOrigin: app }, policy)).toBe(false);
  });

  it('refuses a frame embedded in, or reporting, a foreign origin', () => {
    expect(
      decidePermissionCheck({ permission: 'media', requestingOrigin: app, embeddingOrigin: 'https://evil.example', mediaType: 'audio' }, policy),
    ).toBe(false);
    expect(
      decidePermissionCheck({ permission: 'media', requestingOrigin: app, securityOrigin: 'https://evil.example', mediaType: 'audio' }, policy),
    ).toBe(false);
  });
});

describe('installPermissionHandlers', () => {
  it('wires both handlers to the session', async () => {
    const session = new FakeSession();
    installPermissionHandlers(session, policy, silentLogger);
    await expect(session.request('media', { requestingUrl: 'app://desktop/', securityOrigin: app, mediaTypes: ['audio'] })).resolves.toBe(true);
    await expect(session.request('media', { requestingUrl: 'app://desktop/', securityOrigin: app, mediaTypes: ['video'] })).resolves.toBe(false);
    await expect(session.request('geolocation', { requestingUrl: 'app://desktop/' })).resolves.toBe(false);
    expect(session.check('media', app, { mediaType: 'audio' })).toBe(true);
    expect(session.check('media', 'https://evil.example', { mediaType: 'audio' })).toBe(false);
  });

  it('logs refused requests', async () => {
    const session = new FakeSession();
    const log = recordingLogger();
    installPermissionHandlers(session, policy, log);
    await session.request('geolocation', { requestingUrl: 'app://desktop/' });
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('denied'))).toBe(true);
  });
});
