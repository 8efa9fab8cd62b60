import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { createUpdater, updateFeedUrl } from './updater.js';

describe('updater stub', () => {
  it('derives the generic feed from the server origin', () => {
    expect(updateFeedUrl('https://hotline.example.gov.cn:8443/console/')).toBe('https://hotline.example.gov.cn:8443/updates/');
    expect(updateFeedUrl(null)).toBeNull();
  });

  it('does nothing yet', () => {
    const u = createUpdater(() => null, silentLogger);
    expect(() => {
      u.start();
      u.stop();
    }).not.toThrow();
  });
});
