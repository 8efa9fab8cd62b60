/**
 * How tickets look in the console: labels and colours for statuses, SLA states and
 * actions, the list views each role gets, and what each action asks the user for.
 * Pure, so it is unit-tested; the components only render it.
 */
import type { TicketView } from '../../../../shared/api/tickets.js';
import { can, type Role } from '../../../../shared/roles.js';
import type { SlaState } from '../../../../shared/tickets/deadline.js';
import { commandLabel as commandLabels, type TicketCommandType, type TicketStatus } from '../../../../shared/tickets/workflow.js';

export { commandLabel, statusLabel } from '../../../../shared/tickets/workflow.js';
export { slaStateLabel } from '../../../../shared/tickets/deadline.js';
export { channelLabel, urgencyLabel } from '../../../../shared/api/tickets.js';

export const statusColor: Record<TicketStatus, string> = {
  registered: 'default',
  pending_dispatch: 'gold',
  dispatched: 'blue',
  return_review: 'orange',
  signed: 'cyan',
  processing: 'processing',
  suspended: 'purple',
  replied: 'geekblue',
  closed: 'green',
  archived: 'default',
  invalid: 'default',
  merged: 'default',
};

export const slaColor: Record<SlaState, string> = { normal: 'green', near_due: 'orange', overdue: 'red' };

export const viewLabel: Record<TicketView, string> = {
  mine: '我的工单',
  unit_inbox: '本单位待办',
  due_soon: '临期',
  overdue: '超期',
  supervised: '督办',
  review: '待审核',
  all: '全部',
};

/** The list tabs a user sees, most useful first. */
export function viewsFor(roles: readonly Role[]): TicketView[] {
  const unitOnly = can(roles, 'tickets:handle') && !can(roles, 'tickets:register') && !can(roles, 'tickets:audit');
  if (unitOnly) return ['unit_inbox', 'mine', 'due_soon', 'overdue', 'all'];
  const views: TicketView[] = [];
  if (can(roles, 'tickets:register')) views.push('mine');
  if (can(roles, 'tickets:audit')) views.push('review');
  views.push('due_soon', 'overdue', 'supervised', 'all');
  return views;
}

export type ActionField = 'opinion' | 'reason' | 'result' | 'text' | 'units' | 'workingDays' | 'until' | 'satisfaction' | 'approve' | 'pass' | 'intoTicket';

/** What each action's dialog asks for (nothing: confirm only). */
export const actionFields: Record<TicketCommandType, ActionField[]> = {
  answer_directly: ['result'],
  classify: [],
  invalidate: ['reason'],
  merge: ['intoTicket'],
  dispatch: ['units', 'opinion'],
  sign: [],
  request_return: ['reason'],
  review_return: ['approve', 'opinion'],
  start: [],
  note: ['text'],
  request_extension: ['workingDays', 'reason'],
  request_commitment: ['until', 'reason'],
  review_request: ['approve', 'opinion'],
  resume: [],
  reply: ['result'],
  audit: ['pass', 'opinion'],
  revisit: ['satisfaction', 'reason'],
  withdraw: ['reason'],
  urge: ['opinion'],
  supervise: ['opinion'],
};

/** Actions shown as primary buttons; the rest are secondary. */
export const primaryActions: ReadonlySet<TicketCommandType> = new Set(['dispatch', 'sign', 'start', 'reply', 'audit', 'revisit', 'review_return', 'review_request', 'classify']);

export const satisfactionLabel = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unrated: '未评价' } as const;

/** Timeline wording for an event (the action's label, or the extra events the server writes). */
export function eventLabel(action: string): string {
  // deadline_*: reminders the server pushes (src/server/modules/tickets/deadline-reminders.ts).
  const extra: Record<string, string> = { register: '登记', merged_in: '并入工单', deadline_near: '即将超期（临期提醒）', deadline_overdue: '已超期' };
  return extra[action] ?? (commandLabels as Record<string, string>)[action] ?? action;
}

const chinaTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** Deadlines are China calendar days: show every ticket time in China time, wherever the seat is. */
export function formatChinaTime(iso: string | null): string {
  if (!iso) return '—';
  const p = Object.fromEntries(chinaTime.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
