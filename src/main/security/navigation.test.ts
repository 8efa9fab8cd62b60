import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { FakeShell, FakeWebContents, fakeEvent } from '../testing/fake-electron.js';
import {
  decideNavigation,
  decideWindowOpen,
  externalHostsFor,
  installNavigationGuards,
  isAllowedExternalUrl,
} from './navigation.js';
import { createOriginPolicy } from './origin.js';

const policy = createOriginPolicy(undefined);
const hosts = ['hotline.example.gov.cn'];

describe('isAllowedExternalUrl', () => {
  it('accepts only https links to an exactly matching host', () => {
    expect(isAllowedExternalUrl('https://hotline.example.gov.cn/help', hosts)).toBe(true);
    expect(isAllowedExternalUrl('https://HOTLINE.example.gov.cn/help', hosts)).toBe(true);
    for (const u of [
      'http://hotline.example.gov.cn/help',
      'https://hotline.example.gov.cn.evil.com/',
      'https://evil.com/?next=https://hotline.example.gov.cn',
      'https://user@hotline.example.gov.cn/',
      'file:///C:/Windows/System32/calc.exe',
      'javascript:alert(1)',
      'smb://hotline.example.gov.cn/share',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(u, hosts), u).toBe(false);
    }
  });
});

describe('externalHostsFor', () => {
  it('allows the configured server host only when it uses https', () => {
    expect(externalHostsFor('https://Hotline.example.gov.cn:8443/')).toEqual(['hotline.example.gov.cn']);
    expect(externalHostsFor('http://10.0.0.5:3000')).toEqual([]);
    expect(externalHostsFor(null)).toEqual([]);
  });
});

describe('decideNavigation / decideWindowOpen', () => {
  it('allows in-app navigation and denies everything else', () => {
    expect(decideNavigation('app://desktop/index.html#/tickets', policy, hosts)).toEqual({ action: 'allow' });
    expect(decideNavigation('https://evil.example/', policy, hosts)).toEqual({ action: 'deny', openExternally: false });
    expect(decideNavigation('https://hotline.example.gov.cn/help', policy, hosts)).toEqual({ action: 'deny', openExternally: true });
  });

  it('never opens windows, only hands allow-listed links to the browser', () => {
    expect(decideWindowOpen('https://hotline.example.gov.cn/x', hosts)).toEqual({ openExternally: true });
    expect(decideWindowOpen('app://desktop/index.html', hosts)).toEqual({ openExternally: false });
  });
});

describe('installNavigationGuards', () => {
  function setup() {
    const contents = new FakeWebContents();
    const shell = new FakeShell();
    installNavigationGuards(contents, { policy, shell, allowedExternalHosts: () => hosts, log: silentLogger });
    return { contents, shell };
  }

  it('cancels navigation away from the app and lets in-app navigation through', () => {
    const { contents, shell } = setup();
    expect(contents.navigate('app://desktop/index.html#/calls')).toBe(false);
    expect(contents.navigate('https://evil.example/')).toBe(true);
    expect(contents.navigate('https://evil.example/', 'will-redirect')).toBe(true);
    expect(shell.opened).toEqual([]);
  });

  it('opens allow-listed links externally instead of navigating', () => {
    const { contents, shell } = setup();
    expect(contents.navigate('https://hotline.example.gov.cn/help')).toBe(true);
    expect(shell.opened).toEqual(['https://hotline.example.gov.cn/help']);
  });

  it('denies every window.open', () => {
    const { contents, shell } = setup();
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://desktop/index.html' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'https://hotline.example.gov.cn/doc' })).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual(['https://hotline.example.gov.cn/doc']);
  });

  it('refuses to attach webviews', () => {
    const { contents } = setup();
    const e = fakeEvent({});
    contents.emit('will-attach-webview', e);
    expect(e.defaultPrevented).toBe(true);
  });
});
