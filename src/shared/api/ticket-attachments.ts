/**
 * Ticket attachments (附件): photos and documents citizens or units provide, stored by the
 * server. Upload is a raw body (application/octet-stream) with the file name in the query;
 * the answer is an `Attachment` whose ref is `attachment:<id>`, which the progress note and
 * the reply then carry. Files come back from `ticketAttachmentPath` under the ticket's
 * visibility. The kinds accepted are listed here once, so the console refuses what the
 * server would refuse before sending it.
 */
import { z } from 'zod';
import { route } from './route.js';
import { AttachmentSchema } from './tickets.js';

/** Default size limit; sites change it with HOTLINE_ATTACHMENT_MAX_BYTES. */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

/**
 * Accepted kinds by extension, with the type the file is served as. The server decides the
 * type from the extension (never from what the browser claims) and serves it as a download
 * with nosniff, so a renamed page cannot run in the console's origin.
 */
export const attachmentTypes: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', bmp: 'image/bmp',
  pdf: 'application/pdf', ofd: 'application/ofd', txt: 'text/plain', csv: 'text/csv',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  wps: 'application/vnd.ms-works', et: 'application/vnd.ms-excel',
  mp3: 'audio/mpeg', m4a: 'audio/mp4', amr: 'audio/amr', wav: 'audio/wav', mp4: 'video/mp4',
  zip: 'application/zip',
};

export function attachmentExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The type a file of this name is stored and served as, or null when the kind is not accepted. */
export function attachmentMimeType(name: string): string | null {
  return attachmentTypes[attachmentExtension(name)] ?? null;
}

export const ATTACHMENT_ACCEPT = Object.keys(attachmentTypes).map((e) => `.${e}`).join(',');

/** `attachment:<uuid>`: a file this server stores; other refs (a document system's URLs) are not checked here. */
export const ATTACHMENT_REF_PREFIX = 'attachment:';
const REF = /^attachment:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
export function attachmentRef(id: string): string {
  return `${ATTACHMENT_REF_PREFIX}${id}`;
}
/** The stored file's id, null for refs of another kind; throws-free so callers decide the message. */
export function parseAttachmentRef(ref: string): { id: string } | { id: null; malformed: boolean } {
  const m = REF.exec(ref);
  if (m) return { id: m[1]!.toLowerCase() };
  return { id: null, malformed: ref.startsWith(ATTACHMENT_REF_PREFIX) };
}

export const AttachmentName = z
  .string()
  .trim()
  .min(1, '附件名不能为空')
  .max(200, '附件名最多 200 个字符')
  .refine((v) => !/[\\/\u0000-\u001f]/.test(v), '附件名不能含路径或控制字符')
  .refine((v) => attachmentMimeType(v) !== null, `不支持的附件类型（可上传：${Object.keys(attachmentTypes).join('、')}）`);

export const StoredAttachmentSchema = AttachmentSchema.extend({
  mimeType: z.string(),
  size: z.number().int(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
}).meta({ id: 'StoredAttachment' });
export type StoredAttachment = z.infer<typeof StoredAttachmentSchema>;

export const ticketAttachmentRoutes = {
  uploadTicketAttachment: route({
    method: 'POST', path: '/api/tickets/:id/attachments',
    summary: '上传附件 (raw body, application/octet-stream; ?name=file name). 413 over the size limit, 400 for a kind not accepted; the answer\'s ref goes into a note or reply',
    tags: ['tickets'], access: 'tickets:read',
    params: z.object({ id: z.uuid() }), query: z.object({ name: AttachmentName }),
    status: 201, response: StoredAttachmentSchema,
  }),
} as const;

/** Files are streamed from here (not JSON, so not a RouteSpec): GET with the bearer token. */
export const ticketAttachmentPath = (ticketId: string, attachmentId: string) => `/api/tickets/${ticketId}/attachments/${attachmentId}`;
