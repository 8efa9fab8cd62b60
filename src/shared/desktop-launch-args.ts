/**
 * Facts main hands to the sandboxed preload through `webPreferences.additionalArguments`.
 * A sandboxed preload cannot call `app.getVersion()` and must not block on a synchronous IPC
 * round trip, but it can read `process.argv`. Kept apart from `ipc.ts` (and free of zod) so the
 * preload bundle stays tiny. Pure TS: no electron, node or DOM imports.
 */

const appVersionPrefix = '--hotline-desk-version=';

export interface DesktopLaunchArgs {
  appVersion: string;
}

/** Main side: the switches to append to the renderer's command line. */
export function encodeLaunchArgs(args: DesktopLaunchArgs): string[] {
  return [`${appVersionPrefix}${args.appVersion}`];
}

/** Preload side: reads the switches back; unknown or missing values fall back to safe defaults. */
export function decodeLaunchArgs(argv: readonly string[]): DesktopLaunchArgs {
  const version = argv.find((a) => a.startsWith(appVersionPrefix))?.slice(appVersionPrefix.length);
  return { appVersion: version && /^[0-9A-Za-z.+-]{1,64}$/.test(version) ? version : '0.0.0' };
}
