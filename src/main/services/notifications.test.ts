import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { fakeNotificationPorts } from '../testing/fake-electron.js';
import { createNotifier } from './notifications.js';

describe('createNotifier', () => {
  it('shows a silent notification and focuses the window on click', () => {
    const ports = fakeNotificationPorts();
    let focused = 0;
    const notifier = createNotifier(ports, () => focused++, silentLogger);
    expect(notifier.show({ title: '来电', body: '138****0000', focusOnClick: true })).toBe(true);
    const [n] = ports.created;
    if (!n) throw new Error('no notification');
    expect(n.shown).toBe(true);
    expect(n.options).toEqual({ title: '来电', body: '138****0000', silent: true });
    expect(notifier.live()).toBe(1);
    n.emit('click');
    expect(focused).toBe(1);
    expect(notifier.live()).toBe(0);
  });

  it('does not focus when asked not to, and releases closed notifications', () => {
    const ports = fakeNotificationPorts();
    let focused = 0;
    const notifier = createNotifier(ports, () => focused++, silentLogger);
    notifier.show({ title: 'a', body: '', focusOnClick: false });
    notifier.show({ title: 'b', body: '', focusOnClick: true });
    ports.created[0]?.emit('click');
    ports.created[1]?.emit('close');
    expect(focused).toBe(0);
    expect(notifier.live()).toBe(0);
  });

  it('reports unsupported desktops instead of throwing', () => {
    const ports = fakeNotificationPorts(false);
    const notifier = createNotifier(ports, () => {}, silentLogger);
    expect(notifier.show({ title: 'a', body: '', focusOnClick: true })).toBe(false);
    expect(ports.created).toEqual([]);
  });
});
