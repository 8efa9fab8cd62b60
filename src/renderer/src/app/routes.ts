/**
 * The console's pages, addressed by location hash (`#/agent`). No router library: the
 * table below decides which pages a user may see (same `can()` as the server) and where
 * each role lands after sign-in. Pure, so it is unit-tested.
 */
import { can, type Permission, type Role } from '../../../shared/roles.js';

export const pages = [
  { path: '/agent', permission: 'console:use', nav: 'agent' },
  { path: '/tickets', permission: 'tickets:read', nav: 'tickets' },
  { path: '/supervisor', permission: 'floor:watch', nav: 'supervisor' },
  { path: '/recordings', permission: 'recordings:listen', nav: 'recordings' },
  { path: '/admin/users', permission: 'users:manage', nav: 'users' },
  { path: '/admin/groups', permission: 'users:manage', nav: 'groups' },
  { path: '/admin/refdata', permission: 'refdata:manage', nav: 'refdata' },
  { path: '/admin/audit', permission: 'audit:read', nav: 'audit' },
  { path: '/admin/province', permission: 'province:manage', nav: 'province' },
] as const satisfies readonly { path: string; permission: Permission; nav: string }[];

export type Page = (typeof pages)[number];
export type PagePath = Page['path'];

/** Pages this user may open, in menu order. */
export function allowedPages(roles: readonly Role[]): Page[] {
  return pages.filter((p) => can(roles, p.permission));
}

/** Each role's home page, in priority order for users holding several roles. */
const homes: readonly (readonly [Role, PagePath])[] = [
  ['agent', '/agent'],
  ['supervisor', '/supervisor'],
  ['admin', '/admin/users'],
  ['qa', '/recordings'],
  ['unit', '/tickets'],
];

/** Where a user lands after sign-in: their main role's home, else the first page allowed. */
export function landingPage(roles: readonly Role[]): PagePath | null {
  const home = homes.find(([role]) => roles.includes(role));
  return home?.[1] ?? allowedPages(roles)[0]?.path ?? null;
}

/** `#/admin/users?x` → `/admin/users`. */
export function pathFromHash(hash: string): string {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  return path.startsWith('/') ? path.replace(/\/+$/, '') || '/' : '/';
}

/** The page to show for a hash: the requested one if allowed, else the landing page. */
export function resolvePage(hash: string, roles: readonly Role[]): { page: PagePath | null; redirect: boolean } {
  const requested = pathFromHash(hash);
  const allowed = allowedPages(roles).find((p) => p.path === requested);
  if (allowed) return { page: allowed.path, redirect: false };
  return { page: landingPage(roles), redirect: true };
}
