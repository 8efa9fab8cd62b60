/**
 * The tickets module: builds its services (the data key from configuration, else one kept in
 * the database), registers its routes and runs the deadline reminders and the sweep of
 * unreferenced attachment uploads while the app is up.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TicketNotice } from '../../../shared/realtime.js';
import type { Db } from '../../db/database.js';
import type { Authenticate } from '../../http/route.js';
import { ContactCipher } from './contact-cipher.js';
import { DeadlineReminders } from './deadline-reminders.js';
import { AttachmentStore } from './attachment-store.js';
import { AttachmentSweep } from './attachment-sweep.js';
import { RefDataService } from './refdata-service.js';
import { registerTicketRoutes, who } from './routes.js';
import { registerAttachmentRoutes, TicketAttachments } from './ticket-attachments.js';
import { TicketsService } from './tickets-service.js';

export { AttachmentStore, AttachmentSweep, ContactCipher, DeadlineReminders, RefDataService, TicketsService };

/**
 * The 32-byte key citizens' contact details are encrypted with. Sites set HOTLINE_DATA_KEY
 * (and keep it out of database backups); without it a key is generated once and kept in
 * the database, which protects column dumps but not a full backup — a warning says so.
 */
async function dataKey(db: Db, configured: string | undefined, log: FastifyBaseLogger): Promise<Buffer> {
  if (configured) return ContactCipher.parseKey(configured);
  await db.insertInto('server_secret').values({ name: 'ticket_data_key', value: randomBytes(32).toString('base64') })
    .onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('server_secret').select('value').where('name', '=', 'ticket_data_key').executeTakeFirstOrThrow();
  log.warn('HOTLINE_DATA_KEY is not set: citizens\' phone and ID numbers are encrypted with a key kept in the database; set it on production sites');
  return ContactCipher.parseKey(row.value);
}

export async function createTickets(
  app: FastifyInstance,
  db: Db,
  opts: {
    dataKey: string | undefined;
    authenticate: Authenticate;
    notify?: (userIds: string[], notice: TicketNotice) => void;
    /** 附件: where the files go, the largest accepted, and how long an upload no event references is kept (default 24 h). */
    attachments: { dir: string; maxBytes: number; orphanHours?: number };
  },
) {
  const cipher = new ContactCipher(await dataKey(db, opts.dataKey, app.log));
  const refdata = new RefDataService(db);
  const tickets = new TicketsService(db, refdata, cipher, undefined, opts.notify, app.log.child({ module: 'tickets' }));
  registerTicketRoutes(app, tickets, refdata, opts.authenticate);
  const store = new AttachmentStore(opts.attachments.dir);
  const attachments = new TicketAttachments(db, tickets, store);
  registerAttachmentRoutes(app, attachments, opts.authenticate, who, opts.attachments.maxBytes);
  // Uploads a dialog never submitted: every node sweeps hourly (see attachment-sweep.ts).
  const attachmentSweep = new AttachmentSweep(db, store, { graceHours: opts.attachments.orphanHours ?? 24, log: app.log.child({ module: 'ticket-attachments' }) });
  app.addHook('onReady', async () => attachmentSweep.start());
  app.addHook('onClose', async () => attachmentSweep.stop());
  // 临期/超期提醒: every node sweeps each minute; the reminder table keeps each one single.
  const notify = opts.notify;
  const reminders = notify ? new DeadlineReminders(db, notify, undefined, app.log.child({ module: 'ticket-reminders' })) : null;
  if (reminders) {
    app.addHook('onReady', async () => reminders.start());
    app.addHook('onClose', async () => reminders.stop());
  }
  return { tickets, refdata, cipher, reminders, attachments, attachmentSweep };
}
