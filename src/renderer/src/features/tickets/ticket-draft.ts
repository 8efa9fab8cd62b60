/**
 * The new-ticket form's draft, saved locally as it is typed so a crash, reload or network
 * loss loses nothing. The draft keeps the submission's client id, so a retried submit (even
 * after a reload) is recognised by the server and never creates a second ticket.
 * DOM-free: storage is injected (localStorage in the console).
 */
import type { RegisterTicket } from '../../../../shared/api/tickets.js';

export interface DraftValues {
  channel: RegisterTicket['channel'];
  callId?: string;
  callerNumber?: string;
  citizenName?: string;
  phone?: string;
  idNumber?: string;
  confidential?: boolean;
  anonymous?: boolean;
  title?: string;
  content?: string;
  appealType?: string;
  categoryCode?: string;
  regionCode?: string;
  location?: string;
  urgency?: 'normal' | 'urgent' | 'critical';
  /** 登记 / 登记并转派单 / 直接答复办结 */
  then?: 'register' | 'dispatch' | 'answer';
  answer?: string;
}

export interface TicketDraft {
  clientId: string;
  savedAt: string;
  values: DraftValues;
}

export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const DRAFT_KEY = 'hotline.ticket-draft.v1';

export function loadDraft(storage: DraftStorage): TicketDraft | null {
  try {
    const raw = storage.getItem(DRAFT_KEY);
    if (!raw) return null;
    const d = JSON.parse(raw) as TicketDraft;
    return typeof d?.clientId === 'string' && d.values && typeof d.values === 'object' ? d : null;
  } catch {
    return null;
  }
}

export function saveDraft(storage: DraftStorage, draft: Omit<TicketDraft, 'savedAt'>, now = new Date()): void {
  try {
    storage.setItem(DRAFT_KEY, JSON.stringify({ ...draft, savedAt: now.toISOString() }));
  } catch {
    // Storage full or disabled: the form still works, only without crash safety.
  }
}

export function clearDraft(storage: DraftStorage): void {
  storage.removeItem(DRAFT_KEY);
}

/**
 * A draft for a call: an existing draft for the same call is kept (the agent reloaded
 * mid-way); a new call starts a new draft prefilled with the caller.
 */
export function draftForCall(existing: TicketDraft | null, call: { callId?: string; callerNumber?: string } | null, newId: () => string): TicketDraft {
  if (existing && (!call?.callId || existing.values.callId === call.callId)) return existing;
  return {
    clientId: newId(),
    savedAt: new Date().toISOString(),
    values: call ? { channel: 'phone', callId: call.callId, callerNumber: call.callerNumber, phone: call.callerNumber, then: 'register' } : { channel: 'phone', then: 'register' },
  };
}

/** The form's values as the registration request. */
export function toRegisterRequest(d: TicketDraft): RegisterTicket {
  const v = d.values;
  const s = (x: string | undefined) => (x && x.trim() ? x.trim() : undefined);
  return {
    clientId: d.clientId,
    channel: v.channel,
    callId: s(v.callId),
    callerNumber: s(v.callerNumber),
    citizen: { name: s(v.citizenName), phone: s(v.phone), idNumber: s(v.idNumber), confidential: !!v.confidential, anonymous: !!v.anonymous },
    title: v.title ?? '',
    content: v.content ?? '',
    appealType: v.appealType ?? '',
    categoryCode: s(v.categoryCode),
    regionCode: s(v.regionCode),
    location: s(v.location),
    urgency: v.urgency ?? 'normal',
    forDispatch: v.then === 'dispatch',
    ...(v.then === 'answer' ? { answerDirectly: { result: v.answer ?? '' } } : {}),
  };
}
