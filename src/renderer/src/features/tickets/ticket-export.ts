/**
 * 台账导出 in the console: downloads the server's streamed .xlsx for the list's current
 * filter with the session's token, reporting progress (bytes so far, rows announced in
 * `x-ticket-count`), then hands the file to the browser as a download.
 */
import { TICKET_EXPORT_PATH, type TicketExportQuery } from '../../../../shared/api/tickets.js';
import { buildQuery } from '../../services/api-client';
import { resolveServerUrl } from '../../services/server-url';
import { freshAccessToken } from '../../services/session';

export interface ExportProgress {
  bytes: number;
  rows: number | null;
}

export async function downloadLedger(query: TicketExportQuery, onProgress: (p: ExportProgress) => void): Promise<void> {
  const base = (await resolveServerUrl()) ?? '';
  const token = await freshAccessToken();
  const res = await fetch(`${base}${TICKET_EXPORT_PATH}${buildQuery(query as Record<string, unknown>)}`, { headers: { authorization: `Bearer ${token ?? ''}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `导出失败（HTTP ${res.status}）`);
  }
  const rows = res.headers.get('x-ticket-count');
  const total = rows === null ? null : Number(rows);
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    onProgress({ bytes, rows: total });
  }
  const name = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? undefined }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name ? decodeURIComponent(name) : '工单台账.xlsx';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
