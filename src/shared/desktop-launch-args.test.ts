import { describe, expect, it } from 'vitest';
import { decodeLaunchArgs, encodeLaunchArgs } from './desktop-launch-args.js';

describe('desktop launch args', () => {
  it('round-trips the app version', () => {
    expect(decodeLaunchArgs(['x', ...encodeLaunchArgs({ appVersion: '1.2.3-beta.1' })])).toEqual({ appVersion: '1.2.3-beta.1' });
  });

  it('falls back when missing or malformed', () => {
    expect(decodeLaunchArgs([])).toEqual({ appVersion: '0.0.0' });
    expect(decodeLaunchArgs(['--hotline-desk-version=<script>'])).toEqual({ appVersion: '0.0.0' });
  });
});
