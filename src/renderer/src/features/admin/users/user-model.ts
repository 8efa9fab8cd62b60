/**
 * Users page logic without React: status of a user, and turning form values into the
 * CreateUser / UpdateUser bodies of the shared contract. Pure, so it is unit-tested.
 */
import type { CreateUser, UpdateUser, User } from '../../../../../shared/api/accounts.js';
import type { Role } from '../../../../../shared/roles.js';

export type UserStatus = 'active' | 'disabled' | 'locked';

export function userStatus(user: Pick<User, 'disabled' | 'lockedUntil'>, now: number): UserStatus {
  if (user.disabled) return 'disabled';
  if (isLocked(user, now)) return 'locked';
  return 'active';
}

export function isLocked(user: Pick<User, 'lockedUntil'>, now: number): boolean {
  return user.lockedUntil !== null && Date.parse(user.lockedUntil) > now;
}

/** The fields of the create/edit modal, named like the contract so issues map 1:1. */
export interface UserFormValues {
  username?: string;
  displayName?: string;
  password?: string;
  roles?: Role[];
  groupIds?: string[];
  extension?: string | null;
  disabled?: boolean;
}
export const userFormFields = ['username', 'displayName', 'password', 'roles', 'groupIds', 'extension', 'disabled'] as const;
export type UserFormField = (typeof userFormFields)[number];

const blankToNull = (v: string | null | undefined): string | null => (v && v.trim() !== '' ? v.trim() : null);

export function toCreateBody(v: UserFormValues): CreateUser {
  return {
    username: v.username ?? '',
    displayName: v.displayName ?? '',
    password: v.password ?? '',
    roles: v.roles ?? [],
    groupIds: v.groupIds ?? [],
    extension: blankToNull(v.extension),
  };
}

export function formValuesOf(user: User): UserFormValues {
  return {
    username: user.username,
    displayName: user.displayName,
    roles: [...user.roles],
    groupIds: [...user.groupIds],
    extension: user.extension ?? '',
    disabled: user.disabled,
  };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/** Only what changed, so the audit log records real changes; null when nothing did. */
export function toUpdateBody(v: UserFormValues, original: User): UpdateUser | null {
  const body: UpdateUser = {};
  if (v.displayName !== undefined && v.displayName !== original.displayName) body.displayName = v.displayName;
  if (v.roles !== undefined && !sameSet(v.roles, original.roles)) body.roles = v.roles;
  if (v.groupIds !== undefined && !sameSet(v.groupIds, original.groupIds)) body.groupIds = v.groupIds;
  const extension = blankToNull(v.extension);
  if (v.extension !== undefined && extension !== original.extension) body.extension = extension;
  if (v.disabled !== undefined && v.disabled !== original.disabled) body.disabled = v.disabled;
  return Object.keys(body).length > 0 ? body : null;
}
