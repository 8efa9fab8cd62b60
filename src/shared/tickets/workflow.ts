/**
 * The ticket workflow (工单流转): which statuses exist, which commands move a ticket between
 * them, and who may issue each command. Pure: the server applies it under optimistic locking
 * and writes one event per accepted command; consoles use it to offer only the actions a
 * user may take now.
 *
 * 登记 → 直接答复办结 | 分类 → 派单(主办+协办) → 签收 | 回退(审核) → 办理/调解(进展) →
 * 延期/承诺办理申请(审批) → 申请办结 → 审核 → 办结 → 回访 → 归档 | 重办.
 * 并单、作废 before dispatch; 收回 from any unit-held status; 催办/督办 are overlays.
 */
import type { Permission } from '../roles.js';

export const ticketStatuses = [
  'registered', // 已登记
  'pending_dispatch', // 待派单
  'dispatched', // 已派单，待签收
  'return_review', // 回退审核中
  'signed', // 已签收
  'processing', // 办理中
  'suspended', // 承诺办理（暂停计时）
  'replied', // 已答复，待审核
  'closed', // 已办结，待回访
  'archived', // 已归档
  'invalid', // 无效
  'merged', // 已并单
] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

/** Statuses in which a ticket is still being worked on (lists, overdue, screen pop order). */
export const openStatuses: readonly TicketStatus[] = ['registered', 'pending_dispatch', 'dispatched', 'return_review', 'signed', 'processing', 'suspended', 'replied'];
/** Statuses in which a unit holds the ticket (收回 is possible, urge/supervise make sense). */
export const unitHeldStatuses: readonly TicketStatus[] = ['dispatched', 'return_review', 'signed', 'processing', 'suspended', 'replied'];

export const satisfactions = ['satisfied', 'basically_satisfied', 'unsatisfied', 'unrated'] as const;
export type Satisfaction = (typeof satisfactions)[number];

/** A request waiting for the center's review (one at a time per ticket). */
export type PendingRequest =
  | { kind: 'extension'; workingDays: number; reason: string }
  | { kind: 'commitment'; until: string; reason: string }; // 承诺办理: ISO date the unit commits to

/** What the workflow needs to know about a ticket. */
export interface WorkflowSnapshot {
  status: TicketStatus;
  leadUnitId: string | null;
  coUnitIds: string[];
  /** Set only while status is 'processing'. */
  pending: PendingRequest | null;
  /** Reason of the return request while status is 'return_review'. */
  returnReason: string | null;
  reopenCount: number;
  urgeCount: number;
  supervised: boolean;
  extensionCount: number;
}

export type TicketCommand =
  | { type: 'answer_directly'; result: string } // 直接答复办结
  | { type: 'classify' } // 分类，转待派单
  | { type: 'invalidate'; reason: string } // 作废
  | { type: 'merge'; intoTicketId: string } // 并单
  | { type: 'dispatch'; leadUnitId: string; coUnitIds: string[]; opinion?: string | undefined } // 派单
  | { type: 'sign' } // 签收
  | { type: 'request_return'; reason: string } // 申请回退
  | { type: 'review_return'; approve: boolean; opinion: string } // 回退审核
  | { type: 'start' } // 开始办理
  | { type: 'note'; text: string } // 办理进展
  | { type: 'request_extension'; workingDays: number; reason: string } // 申请延期
  | { type: 'request_commitment'; until: string; reason: string } // 申请承诺办理
  | { type: 'review_request'; approve: boolean; opinion: string } // 审批延期/承诺办理
  | { type: 'resume' } // 承诺办理结束，恢复办理
  | { type: 'reply'; result: string } // 申请办结
  | { type: 'audit'; pass: boolean; opinion: string } // 办结审核
  | { type: 'revisit'; satisfaction: Satisfaction; reason?: string | undefined; reopen: boolean } // 回访
  | { type: 'withdraw'; reason: string } // 收回
  | { type: 'urge'; opinion: string } // 催办
  | { type: 'supervise'; opinion: string }; // 督办

export type TicketCommandType = TicketCommand['type'];

export const commandTypes = [
  'answer_directly', 'classify', 'invalidate', 'merge', 'dispatch', 'sign', 'request_return', 'review_return', 'start', 'note',
  'request_extension', 'request_commitment', 'review_request', 'resume', 'reply', 'audit', 'revisit', 'withdraw', 'urge', 'supervise',
] as const satisfies readonly TicketCommandType[];

/** Who issues a command: their permissions, and the handling units they belong to. */
export interface Actor {
  permissions: ReadonlySet<Permission>;
  unitIds: readonly string[];
}

/** Which permission each command needs. Unit commands also need membership of the lead (or a co-) unit. */
export const commandPermission: Record<TicketCommandType, Permission> = {
  answer_directly: 'tickets:register',
  classify: 'tickets:register',
  invalidate: 'tickets:dispatch',
  merge: 'tickets:dispatch',
  dispatch: 'tickets:dispatch',
  sign: 'tickets:handle',
  request_return: 'tickets:handle',
  review_return: 'tickets:audit',
  start: 'tickets:handle',
  note: 'tickets:handle',
  request_extension: 'tickets:handle',
  request_commitment: 'tickets:handle',
  review_request: 'tickets:audit',
  resume: 'tickets:handle',
  reply: 'tickets:handle',
  audit: 'tickets:audit',
  revisit: 'tickets:revisit',
  withdraw: 'tickets:dispatch',
  urge: 'tickets:dispatch',
  supervise: 'tickets:supervise',
};

export const statusLabel: Record<TicketStatus, string> = {
  registered: '已登记',
  pending_dispatch: '待派单',
  dispatched: '待签收',
  return_review: '回退审核',
  signed: '已签收',
  processing: '办理中',
  suspended: '承诺办理',
  replied: '待审核',
  closed: '已办结',
  archived: '已归档',
  invalid: '无效',
  merged: '已并单',
};

export const commandLabel: Record<TicketCommandType, string> = {
  answer_directly: '直接答复',
  classify: '转派单',
  invalidate: '作废',
  merge: '并单',
  dispatch: '派单',
  sign: '签收',
  request_return: '申请回退',
  review_return: '回退审核',
  start: '开始办理',
  note: '办理进展',
  request_extension: '申请延期',
  request_commitment: '申请承诺办理',
  review_request: '延期审批',
  resume: '恢复办理',
  reply: '申请办结',
  audit: '办结审核',
  revisit: '回访',
  withdraw: '收回',
  urge: '催办',
  supervise: '督办',
};

export type DecideResult =
  | { ok: true; next: WorkflowSnapshot; statusChanged: boolean }
  | { ok: false; code: 'FORBIDDEN' | 'ILLEGAL'; message: string };

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

/** Longest extension one request may ask for, in working days (Shandong allows ≤ 10). */
export const MAX_EXTENSION_DAYS = 30;

function illegal(s: WorkflowSnapshot, c: TicketCommand, why?: string): DecideResult {
  return { ok: false, code: 'ILLEGAL', message: why ?? `「${statusLabel[s.status]}」状态下不能${commandLabel[c.type]}` };
}

function ok(s: WorkflowSnapshot, next: Partial<WorkflowSnapshot>): DecideResult {
  const n = { ...s, ...next };
  return { ok: true, next: n, statusChanged: n.status !== s.status };
}

const CLEAR_UNITS: Partial<WorkflowSnapshot> = { leadUnitId: null, coUnitIds: [], pending: null, returnReason: null };

/** Whether the actor may act for the lead unit (unit commands) or any assigned unit (notes). */
function unitGuard(s: WorkflowSnapshot, c: TicketCommand, a: Actor): DecideResult | null {
  const unitCommand = commandPermission[c.type] === 'tickets:handle';
  if (!unitCommand) return null;
  if (c.type === 'note') {
    // Progress notes: the lead and co-units, and the center (dispatchers) too.
    if (a.permissions.has('tickets:dispatch')) return null;
    const assigned = [s.leadUnitId, ...s.coUnitIds].filter((u): u is string => !!u);
    return a.unitIds.some((u) => assigned.includes(u)) ? null : { ok: false, code: 'FORBIDDEN', message: '只有承办单位可以填写办理进展' };
  }
  return s.leadUnitId && a.unitIds.includes(s.leadUnitId) ? null : { ok: false, code: 'FORBIDDEN', message: '只有主办单位可以执行此操作' };
}

/**
 * Pure: the ticket after a command, or why it may not be applied (FORBIDDEN: not this actor;
 * ILLEGAL: not now). Input validation (lengths, codes, unit existence) is the caller's job.
 */
export function decide(s: WorkflowSnapshot, c: TicketCommand, a: Actor): DecideResult {
  const need = commandPermission[c.type];
  const permitted = a.permissions.has(need) || (c.type === 'note' && a.permissions.has('tickets:dispatch'));
  if (!permitted) return { ok: false, code: 'FORBIDDEN', message: `需要权限 ${need}` };
  const st = s.status;
  // Status first, then the unit guard: "not now" is more useful than "not you" on a closed ticket.
  const r = step(s, c);
  if (!r.ok) return r;
  return unitGuard(s, c, a) ?? r;

  function step(s: WorkflowSnapshot, c: TicketCommand): DecideResult {
    switch (c.type) {
      case 'answer_directly':
        return st === 'registered' ? ok(s, { status: 'closed' }) : illegal(s, c);
      case 'classify':
        return st === 'registered' ? ok(s, { status: 'pending_dispatch' }) : illegal(s, c);
      case 'invalidate':
        return st === 'registered' || st === 'pending_dispatch' ? ok(s, { status: 'invalid' }) : illegal(s, c, '只有未派单的工单可以作废，已派单的请先收回');
      case 'merge':
        return st === 'registered' || st === 'pending_dispatch' ? ok(s, { status: 'merged' }) : illegal(s, c, '只有未派单的工单可以并入其他工单，已派单的请先收回');
      case 'dispatch':
        if (st !== 'pending_dispatch') return illegal(s, c);
        if (c.coUnitIds.includes(c.leadUnitId)) return illegal(s, c, '主办单位不能同时是协办单位');
        return ok(s, { status: 'dispatched', leadUnitId: c.leadUnitId, coUnitIds: [...new Set(c.coUnitIds)] });
      case 'sign':
        return st === 'dispatched' ? ok(s, { status: 'signed' }) : illegal(s, c);
      case 'request_return':
        return st === 'dispatched' ? ok(s, { status: 'return_review', returnReason: c.reason }) : illegal(s, c, '只有签收前可以申请回退');
      case 'review_return':
        if (st !== 'return_review') return illegal(s, c);
        return c.approve ? ok(s, { status: 'pending_dispatch', ...CLEAR_UNITS }) : ok(s, { status: 'dispatched', returnReason: null });
      case 'start':
        return st === 'signed' ? ok(s, { status: 'processing' }) : illegal(s, c);
      case 'note':
        return st === 'signed' || st === 'processing' || st === 'suspended' || st === 'dispatched' ? ok(s, {}) : illegal(s, c);
      case 'request_extension':
        if (st !== 'processing') return illegal(s, c);
        if (s.pending) return illegal(s, c, '已有待审批的申请');
        return ok(s, { pending: { kind: 'extension', workingDays: c.workingDays, reason: c.reason } });
      case 'request_commitment':
        if (st !== 'processing') return illegal(s, c);
        if (s.pending) return illegal(s, c, '已有待审批的申请');
        return ok(s, { pending: { kind: 'commitment', until: c.until, reason: c.reason } });
      case 'review_request': {
        if (st !== 'processing' || !s.pending) return illegal(s, c, '没有待审批的延期或承诺办理申请');
        if (!c.approve) return ok(s, { pending: null });
        if (s.pending.kind === 'extension') return ok(s, { pending: null, extensionCount: s.extensionCount + 1 });
        return ok(s, { pending: null, status: 'suspended' });
      }
      case 'resume':
        return st === 'suspended' ? ok(s, { status: 'processing' }) : illegal(s, c);
      case 'reply':
        // A reply settles any open request: the unit has finished.
        return st === 'processing' || st === 'suspended' ? ok(s, { status: 'replied', pending: null }) : illegal(s, c);
      case 'audit':
        if (st !== 'replied') return illegal(s, c);
        return c.pass ? ok(s, { status: 'closed' }) : ok(s, { status: 'processing' });
      case 'revisit':
        if (st !== 'closed') return illegal(s, c);
        if (c.reopen) {
          if (c.satisfaction !== 'unsatisfied') return illegal(s, c, '只有不满意的回访可以重办');
          // A ticket answered directly has no unit to re-handle it: it goes back to dispatch.
          if (!s.leadUnitId) return ok(s, { status: 'pending_dispatch', reopenCount: s.reopenCount + 1 });
          return ok(s, { status: 'processing', reopenCount: s.reopenCount + 1 });
        }
        return ok(s, { status: 'archived' });
      case 'withdraw':
        return unitHeldStatuses.includes(st) ? ok(s, { status: 'pending_dispatch', ...CLEAR_UNITS }) : illegal(s, c, '只有已派单、未办结的工单可以收回');
      case 'urge':
        return unitHeldStatuses.includes(st) ? ok(s, { urgeCount: s.urgeCount + 1 }) : illegal(s, c, '只有已派单、未办结的工单可以催办');
      case 'supervise':
        return unitHeldStatuses.includes(st) ? ok(s, { supervised: true }) : illegal(s, c, '只有已派单、未办结的工单可以督办');
      default:
        return assertNever(c);
    }
  }
}

/** A representative command of each type, to ask `decide` what an actor could do now. */
function probe(type: TicketCommandType): TicketCommand {
  switch (type) {
    case 'answer_directly': return { type, result: '-' };
    case 'classify': return { type };
    case 'invalidate': return { type, reason: '-' };
    case 'merge': return { type, intoTicketId: '-' };
    case 'dispatch': return { type, leadUnitId: '\u0000probe', coUnitIds: [] };
    case 'sign': return { type };
    case 'request_return': return { type, reason: '-' };
    case 'review_return': return { type, approve: true, opinion: '-' };
    case 'start': return { type };
    case 'note': return { type, text: '-' };
    case 'request_extension': return { type, workingDays: 1, reason: '-' };
    case 'request_commitment': return { type, until: '2000-01-01', reason: '-' };
    case 'review_request': return { type, approve: false, opinion: '-' };
    case 'resume': return { type };
    case 'reply': return { type, result: '-' };
    case 'audit': return { type, pass: true, opinion: '-' };
    case 'revisit': return { type, satisfaction: 'satisfied', reopen: false };
    case 'withdraw': return { type, reason: '-' };
    case 'urge': return { type, opinion: '-' };
    case 'supervise': return { type, opinion: '-' };
    default: return assertNever(type);
  }
}

/** The commands this actor may issue on this ticket now (buttons in the console). */
export function allowedCommands(s: WorkflowSnapshot, a: Actor): TicketCommandType[] {
  return commandTypes.filter((t) => decide(s, probe(t), a).ok);
}

/** Legal shape of a snapshot, for property tests and for loading rows defensively. */
export function isLegalSnapshot(s: WorkflowSnapshot): boolean {
  const held = unitHeldStatuses.includes(s.status);
  if (held !== !!s.leadUnitId && s.status !== 'closed' && s.status !== 'archived') return false;
  if (s.leadUnitId && s.coUnitIds.includes(s.leadUnitId)) return false;
  if (s.pending && s.status !== 'processing') return false;
  if ((s.returnReason !== null) !== (s.status === 'return_review')) return false;
  if (!s.leadUnitId && s.coUnitIds.length) return false;
  return s.reopenCount >= 0 && s.urgeCount >= 0 && s.extensionCount >= 0;
}

export const initialSnapshot: WorkflowSnapshot = {
  status: 'registered',
  leadUnitId: null,
  coUnitIds: [],
  pending: null,
  returnReason: null,
  reopenCount: 0,
  urgeCount: 0,
  supervised: false,
  extensionCount: 0,
};
