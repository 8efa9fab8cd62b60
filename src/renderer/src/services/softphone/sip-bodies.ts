/** Parsing the SIP message bodies the softphone cares about (pure). */

/** `Signal=5\r\nDuration=160` (application/dtmf-relay) or a bare digit (application/dtmf). */
export function dtmfFromInfo(contentType: string, body: string): string | null {
  const type = contentType.toLowerCase();
  if (type.includes('application/dtmf-relay')) {
    const m = /signal\s*=\s*([0-9*#A-D])/i.exec(body);
    return m?.[1]?.toUpperCase() ?? null;
  }
  if (type.includes('application/dtmf')) {
    const d = body.trim();
    return /^[0-9*#A-D]$/i.test(d) ? d.toUpperCase() : null;
  }
  return null;
}

/** Status code of a REFER progress NOTIFY body (`SIP/2.0 200 OK`). */
export function sipfragStatus(body: string): number | null {
  const m = /^SIP\/2\.0\s+(\d{3})/.exec(body.trim());
  return m?.[1] ? Number(m[1]) : null;
}
