/**
 * Roles and what they may do. The server checks permissions on every action; the
 * renderer uses the same table only to decide what to show.
 */
export const roles = ['agent', 'supervisor', 'qa', 'admin', 'unit'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'console:use', // agent console: softphone, states, tickets
  'floor:watch', // supervisor wallboard and agent control for owned groups
  'quality:review', // QA: recordings and scoring
  'recordings:listen', // the recordings page; which recordings is decided per row by the server
  'users:manage', // admin: users, roles, groups, extensions
  'audit:read',
  'sessions:revoke',
  'queues:manage', // admin: ACD queues (numbers, groups, priority, waits) — added with the ACD
  // Tickets (工单). Unit users (承办单位, role 'unit') act only for the units they belong to.
  'tickets:read', // see tickets (lists, detail, screen pop); unit users see their units' tickets only
  'tickets:register', // 登记, 直接答复, 分类
  'tickets:dispatch', // 派单, 收回, 并单, 作废, 催办
  'tickets:handle', // unit work: 签收, 回退申请, 办理进展, 延期/承诺办理申请, 申请办结
  'tickets:audit', // center review: 回退审核, 延期审批, 办结审核
  'tickets:revisit', // 回访
  'tickets:supervise', // 督办
  'tickets:confidential', // see 保密 tickets and citizens' full contact details on them
  'tickets:export', // 台账导出: the ticket list (any filter) as an Excel file; contact details as the detail view shows them to this user (保密 masked without tickets:confidential), every export audited
  'refdata:manage', // reference data: appeal types, categories, regions, units, SLA and dispatch rules, calendar
  'province:manage', // admin: provincial 12345 gateway health, dead letters and re-send, reconciliation
] as const;
export type Permission = (typeof permissions)[number];

const grants: Record<Role, readonly Permission[]> = {
  agent: ['console:use', 'recordings:listen', 'tickets:read', 'tickets:register', 'tickets:dispatch', 'tickets:revisit'],
  supervisor: [
    'floor:watch', 'audit:read', 'recordings:listen',
    'tickets:read', 'tickets:register', 'tickets:dispatch', 'tickets:audit', 'tickets:revisit', 'tickets:supervise', 'tickets:confidential', 'tickets:export',
  ],
  qa: ['quality:review', 'recordings:listen', 'tickets:read'],
  admin: ['users:manage', 'recordings:listen', 'audit:read', 'sessions:revoke', 'floor:watch', 'queues:manage', 'refdata:manage', 'tickets:read', 'province:manage'],
  // 承办单位 users work their units' tickets in the same web console.
  unit: ['tickets:read', 'tickets:handle', 'tickets:export'],
};

export function permissionsOf(userRoles: readonly Role[]): Set<Permission> {
  return new Set(userRoles.flatMap((r) => grants[r]));
}

export function can(userRoles: readonly Role[], permission: Permission): boolean {
  return userRoles.some((r) => grants[r].includes(permission));
}
