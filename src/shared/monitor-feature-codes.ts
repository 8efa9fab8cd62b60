/**
 * PBX spy feature codes (Asterisk ChanSpy, FreeSWITCH eavesdrop): how a site whose PBX has
 * its own spy feature monitors calls instead of our grant-based leg (docs/supervisor.md).
 * Owns the method names, the template syntax and its rendering; the server reads the
 * templates from its configuration (HOTLINE_MONITOR_MODE and HOTLINE_MONITOR_*_CODE) and hands
 * the supervisor's phone the rendered number to dial, after the usual rights check.
 */
import { z } from 'zod';
import type { MonitorMode } from './api/supervisor.js';

/** grant: our own leg to the agent's softphone (any SIP server); feature-codes: dial the PBX's spy codes. */
export const monitorMethods = ['grant', 'feature-codes'] as const;
export type MonitorMethod = (typeof monitorMethods)[number];

/**
 * One code with `{ext}` where the agent's extension goes, e.g. `*33{ext}` or `88{ext}`. Only
 * characters a dial plan can match and a SIP URI user part can carry (`#` is escaped on the
 * wire by the phone), so a typo fails at start rather than at a supervisor's click.
 */
export const FeatureCodeTemplateSchema = z
  .string()
  .max(40)
  .regex(/^[0-9A-Za-z*#+._-]*\{ext\}[0-9A-Za-z*#+._-]*$/, 'must contain {ext} once, otherwise only 0-9 A-Z a-z * # + . _ -');

/** The three codes, all required when the site uses feature codes. */
export const FeatureCodesSchema = z.object({
  listen: FeatureCodeTemplateSchema,
  whisper: FeatureCodeTemplateSchema,
  barge: FeatureCodeTemplateSchema,
});
export type FeatureCodes = z.infer<typeof FeatureCodesSchema>;

/** The number the supervisor's phone dials to run `mode` on the agent's extension. */
export function renderFeatureCode(codes: FeatureCodes, mode: MonitorMode, extension: string): string {
  return codes[mode].replace('{ext}', extension);
}
