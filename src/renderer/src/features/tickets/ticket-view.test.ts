import { describe, expect, it } from 'vitest';
import { commandTypes } from '../../../../shared/tickets/workflow.js';
import { actionFields, eventLabel, formatChinaTime, viewsFor } from './ticket-view';

describe('ticket view', () => {
  it('gives unit users their inbox first and the center its own lists', () => {
    expect(viewsFor(['unit'])[0]).toBe('unit_inbox');
    expect(viewsFor(['agent'])[0]).toBe('mine');
    expect(viewsFor(['supervisor'])).toContain('review');
    expect(viewsFor(['qa'])).not.toContain('mine');
  });
  it('knows every action and labels every event', () => {
    for (const c of commandTypes) {
      expect(actionFields[c]).toBeDefined();
      expect(eventLabel(c)).not.toBe(c);
    }
    expect(eventLabel('register')).toBe('登记');
  });
  it('shows times in China time', () => {
    expect(formatChinaTime('2025-10-10T15:59:59.999Z')).toBe('2025-10-10 23:59');
    expect(formatChinaTime(null)).toBe('—');
  });
});
