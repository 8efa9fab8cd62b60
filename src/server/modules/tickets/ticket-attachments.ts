/**
 * Ticket attachments (附件) on the server: upload (raw body, kind by extension, size limit
 * from configuration), the ticket_attachment row beside the file in AttachmentStore, and the
 * download under the ticket's visibility. Who may add a file and who may read one is the
 * tickets service's rule (assertAttachmentAccess); events that reference a stored file are
 * checked there too. Nothing is stored when a request is refused.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { attachmentMimeType, attachmentRef, ticketAttachmentRoutes as r, type StoredAttachment } from '../../../shared/api/ticket-attachments.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { AttachmentStore } from './attachment-store.js';
import type { TicketsService, TicketUser } from './tickets-service.js';

export class TicketAttachments {
  constructor(
    private readonly db: Db,
    private readonly tickets: TicketsService,
    private readonly store: AttachmentStore,
  ) {}

  async upload(user: TicketUser, ticketId: string, name: string, data: Buffer | undefined): Promise<StoredAttachment> {
    await this.tickets.assertAttachmentAccess(user, ticketId, true);
    const mime = attachmentMimeType(name);
    if (!mime) throw new AppError('VALIDATION_FAILED', 'name: 不支持的附件类型', { issues: [{ path: 'name', message: '不支持的附件类型' }] });
    if (!data?.length) throw new AppError('VALIDATION_FAILED', 'body: 附件为空', { issues: [{ path: 'body', message: '附件为空' }] });
    const id = randomUUID();
    try {
      const { bytes, sha256 } = await this.store.write(id, data);
      await this.db.insertInto('ticket_attachment')
        .values({ id, ticket_id: ticketId, name, mime, size: bytes, sha256, uploaded_by: user.userId })
        .execute();
      return { name, ref: attachmentRef(id), mimeType: mime, size: bytes, sha256 };
    } catch (err) {
      // No row without its file and no file without its row.
      this.store.remove(id);
      throw err;
    }
  }

  async open(user: TicketUser, ticketId: string, attachmentId: string) {
    await this.tickets.assertAttachmentAccess(user, ticketId, false);
    const row = await this.db.selectFrom('ticket_attachment').selectAll().where('id', '=', attachmentId).where('ticket_id', '=', ticketId).executeTakeFirst();
    if (!row || !this.store.has(row.id)) throw new AppError('NOT_FOUND', `No attachment ${attachmentId}`);
    return { row, body: this.store.read(row.id) };
  }
}

function tooLarge(maxBytes: number): Error {
  const mb = maxBytes / (1024 * 1024);
  return Object.assign(new Error(`附件不能超过 ${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`), { statusCode: 413 });
}

export function registerAttachmentRoutes(
  app: FastifyInstance,
  attachments: TicketAttachments,
  authenticate: Authenticate,
  who: (p: import('../accounts/principal.js').Principal) => TicketUser,
  maxBytes: number,
): void {
  // Its own plugin scope: the raw-body parser here takes whole files up to the attachment
  // limit, while the rest of the app keeps its own (recording chunks are limited to 1 MB).
  void app.register(async (scope) => {
    if (scope.hasContentTypeParser('application/octet-stream')) scope.removeContentTypeParser('application/octet-stream');
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));
    // After authentication (the route's onRequest), before the body is read: a declared size
    // over the limit is refused at once. A chunked body is cut off by the parser's limit.
    scope.addHook('preParsing', async (req) => {
      if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes);
    });
    scope.setErrorHandler((err: Error & { code?: string }, _req, _reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw tooLarge(maxBytes);
      throw err;
    });

    bindRoute(scope, r.uploadTicketAttachment, authenticate, ({ principal, params, query, req }) =>
      attachments.upload(who(principal), params.id, query.name, req.body as Buffer | undefined));

    scope.get<{ Params: { id: string; attachmentId: string } }>('/api/tickets/:id/attachments/:attachmentId', {
      schema: { summary: '下载附件 (the ticket detail view\'s visibility)', tags: ['tickets'], params: z.object({ id: z.uuid(), attachmentId: z.uuid() }), security: [{ bearer: [] }] },
    }, async (req, reply) => {
      const principal = await authenticate(req);
      const { row, body } = await attachments.open(who(principal), req.params.id, req.params.attachmentId);
      return reply
        .header('content-type', row.mime)
        .header('content-length', String(row.size))
        .header('content-disposition', `attachment; filename="${row.name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(row.name)}`)
        // Served only as a download of the declared type: never sniffed into a page in our origin.
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('repr-digest', `sha-256=:${Buffer.from(row.sha256, 'hex').toString('base64')}:`)
        .header('access-control-expose-headers', 'content-disposition, repr-digest')
        .send(body);
    });
  });
}
