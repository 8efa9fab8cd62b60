/**
 * Roles and what they may do. The server checks permissions on every action; the
 * renderer uses the same table only to decide what to show.
 */
export const roles = ['agent', 'supervisor', 'qa', 'admin'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'console:use', // agent console: softphone, states, tickets
  'floor:watch', // supervisor wallboard and agent control for owned groups
  'quality:review', // QA: recordings and scoring
  'users:manage', // admin: users, roles, groups, extensions
  'audit:read',
  'sessions:revoke',
] as const;
export type Permission = (typeof permissions)[number];

const grants: Record<Role, readonly Permission[]> = {
  agent: ['console:use'],
  supervisor: ['floor:watch', 'audit:read'],
  qa: ['quality:review'],
  admin: ['users:manage', 'audit:read', 'sessions:revoke', 'floor:watch'],
};

export function permissionsOf(userRoles: readonly Role[]): Set<Permission> {
  return new Set(userRoles.flatMap((r) => grants[r]));
}

export function can(userRoles: readonly Role[], permission: Permission): boolean {
  return userRoles.some((r) => grants[r].includes(permission));
}
