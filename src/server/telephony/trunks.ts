/**
 * Trunks as configuration (HOTLINE_TRUNKS): the carrier's PSTN gateway and the provincial
 * 12345 call-center link, each a named plain SIP/RTP peer. Owns their schema and how they
 * become Kamailio routes: calls are accepted without credentials only from a trunk's
 * allowed source addresses, and agents' calls to citizens' numbers leave through the
 * outbound trunk with the hotline's caller id.
 */
import { z } from 'zod';

const ipv4 = /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$/;
const hostPort = z.string().refine((s) => {
  const [host, port, ...rest] = s.split(':');
  return rest.length === 0 && ipv4.test(host ?? '') && (port === undefined || (/^[0-9]{1,5}$/.test(port) && Number(port) > 0 && Number(port) < 65536));
}, 'must be an IPv4 address, optionally with :port');

export const TrunkSchema = z
  .object({
    /** Shown in logs and call facts, e.g. "pstn", "province". */
    name: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, - and _'),
    /** Where we send calls for this trunk: IPv4[:port] (port 5060 when absent). */
    address: hostPort,
    transport: z.enum(['udp', 'tcp']).default('udp'),
    /** Source addresses its calls come from, IPv4[:port]; default: the address's host. */
    sources: z.array(hostPort).min(1).optional(),
    /** Audio codecs offered to the trunk on calls we send it (G.711 for carriers). */
    codecs: z.array(z.enum(['PCMA', 'PCMU', 'G722'])).min(1).default(['PCMA', 'PCMU']),
    /** Agents' calls to citizens' numbers (callbacks) leave through this trunk. */
    outbound: z.boolean().default(false),
    /** Caller id presented on outbound calls; default the hotline number. */
    callerId: z.string().regex(/^[0-9]{3,20}$/).optional(),
  })
  .strict();
export type Trunk = z.infer<typeof TrunkSchema>;

export const TrunksSchema = z
  .array(TrunkSchema)
  .refine((ts) => new Set(ts.map((t) => t.name)).size === ts.length, 'trunk names must be unique')
  .refine((ts) => ts.filter((t) => t.outbound).length <= 1, 'at most one trunk may be outbound');

/** A number that is a citizen's (dialled out through the trunk), not an extension (3–8 digits). */
export const EXTERNAL_NUMBER = '^[+]?[0-9]{9,20}$';

/** The Kamailio routes for the configured trunks (placeholder TRUNK_ROUTES of the template). */
export function renderTrunkRoutes(trunks: Trunk[], hotlineNumber: string): string {
  const matches = trunks.flatMap((t) =>
    (t.sources ?? [t.address.split(':')[0]!]).map((src) => {
      const [ip, port] = src.split(':');
      const portTest = port ? ` && $sp == ${Number(port)}` : '';
      // Over WebSocket only agents connect; a trunk speaks plain UDP/TCP.
      return `  if ($si == "${ip}"${portTest} && ($proto == "udp" || $proto == "tcp")) {\n    $avp(trunk) = "${t.name}";\n    return 1;\n  }`;
    }),
  );
  const out = trunks.find((t) => t.outbound);
  const target = out
    ? [
        `  $avp(trunk_out) = "${out.name}";`,
        `  $du = "sip:${out.address.includes(':') ? out.address : `${out.address}:5060`};transport=${out.transport}";`,
        `  $avp(trunk_cid) = "${out.callerId ?? hotlineNumber}";`,
        `  $avp(trunk_codecs) = "codec-strip=all ${out.codecs.map((c) => `codec-offer=${c}`).join(' ')}";`,
        '  return 1;',
      ].join('\n')
    : '  return -1;';
  return [
    '# Rendered from HOTLINE_TRUNKS: is this request from a trunk\'s allowed source? Sets $avp(trunk).',
    'route[TRUNK_MATCH] {',
    ...matches,
    '  return -1;',
    '}',
    '',
    '# Rendered from HOTLINE_TRUNKS: the outbound trunk (destination, caller id, codecs), or -1 when none.',
    'route[TRUNK_OUT_TARGET] {',
    target,
    '}',
  ].join('\n');
}
