import { describe, expect, it } from 'vitest';
import { RegisterTicketSchema } from '../../../../shared/api/tickets.js';
import { clearDraft, draftForCall, loadDraft, saveDraft, toRegisterRequest, type DraftStorage } from './ticket-draft';

function memory(): DraftStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('ticket draft', () => {
  it('survives a reload with the same client id, and starts afresh for another call', () => {
    const s = memory();
    let n = 0;
    const id = () => `00000000-0000-4000-8000-00000000000${++n}`;
    const d = draftForCall(loadDraft(s), { callId: 'c1', callerNumber: '13800138000' }, id);
    saveDraft(s, { ...d, values: { ...d.values, title: '路灯不亮' } });
    const reloaded = draftForCall(loadDraft(s), { callId: 'c1', callerNumber: '13800138000' }, id);
    expect(reloaded.clientId).toBe(d.clientId);
    expect(reloaded.values).toMatchObject({ title: '路灯不亮', phone: '13800138000' });
    expect(draftForCall(loadDraft(s), { callId: 'c2' }, id).clientId).not.toBe(d.clientId);
    clearDraft(s);
    expect(loadDraft(s)).toBeNull();
    s.setItem('hotline.ticket-draft.v1', '{broken');
    expect(loadDraft(s)).toBeNull();
  });

  it('turns into a request the shared schema accepts', () => {
    const req = toRegisterRequest({
      clientId: '00000000-0000-4000-8000-000000000001', savedAt: '',
      values: { channel: 'phone', title: ' 路灯 ', content: '不亮', appealType: 'help', phone: '', then: 'answer', answer: '已答复' },
    });
    const parsed = RegisterTicketSchema.parse(req);
    expect(parsed).toMatchObject({ title: '路灯', answerDirectly: { result: '已答复' }, forDispatch: false });
    expect(parsed.citizen.phone).toBeUndefined();
  });
});
