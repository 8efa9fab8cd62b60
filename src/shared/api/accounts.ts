/**
 * Accounts contracts: sign-in, tokens, the current user, users, groups (坐席组) and the
 * audit log. Field rules live here once; the server validates with them and the admin UI
 * shows the same messages.
 */
import { z } from 'zod';
import { roles } from '../roles.js';
import { permissions } from '../roles.js';
import { route } from './route.js';

export const RoleSchema = z.enum(roles);
export const Id = z.uuid();

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_.-]{3,32}$/, '用户名为 3–32 位小写字母、数字或 _ . -');
/** 等保-style minimum: 8–128 characters with letters and digits. */
export const NewPassword = z
  .string()
  .min(8, '密码至少 8 位')
  .max(128, '密码最多 128 位')
  .regex(/[A-Za-z]/, '密码须包含字母')
  .regex(/[0-9]/, '密码须包含数字');
export const Extension = z.string().regex(/^[0-9]{3,8}$/, '分机号为 3–8 位数字');
export const DisplayName = z.string().trim().min(1, '姓名不能为空').max(64, '姓名最多 64 个字符');

export const CurrentUserSchema = z
  .object({
    id: Id,
    username: z.string(),
    displayName: z.string(),
    roles: z.array(RoleSchema),
    permissions: z.array(z.enum(permissions)),
    groupIds: z.array(Id),
    extension: z.string().nullable(),
  })
  .meta({ id: 'CurrentUser' });
export type CurrentUser = z.infer<typeof CurrentUserSchema>;

export const SessionTokensSchema = z
  .object({
    accessToken: z.string(),
    /** ISO time; clients refresh a little before it. */
    accessTokenExpiresAt: z.iso.datetime(),
    /** Opaque, single use: every refresh returns a new one and retires the old. */
    refreshToken: z.string(),
    user: CurrentUserSchema,
  })
  .meta({ id: 'SessionTokens' });
export type SessionTokens = z.infer<typeof SessionTokensSchema>;

export const LoginRequestSchema = z.object({
  username: Username,
  password: z.string().min(1, '请输入密码').max(128),
});
export const RefreshRequestSchema = z.object({ refreshToken: z.string().min(20).max(200) });

export const UserSchema = z
  .object({
    id: Id,
    username: z.string(),
    displayName: z.string(),
    roles: z.array(RoleSchema),
    groupIds: z.array(Id),
    extension: z.string().nullable(),
    disabled: z.boolean(),
    lockedUntil: z.iso.datetime().nullable(),
    lastLoginAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

export const CreateUserSchema = z.object({
  username: Username,
  displayName: DisplayName,
  password: NewPassword,
  roles: z.array(RoleSchema).min(1, '至少分配一个角色'),
  groupIds: z.array(Id).default([]),
  extension: Extension.nullable().default(null),
});
export type CreateUser = z.input<typeof CreateUserSchema>;

export const UpdateUserSchema = z
  .object({
    displayName: DisplayName,
    roles: z.array(RoleSchema).min(1, '至少分配一个角色'),
    groupIds: z.array(Id),
    extension: Extension.nullable(),
    disabled: z.boolean(),
    /** Clears a lockout after failed sign-ins. */
    unlock: z.literal(true),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, '没有要修改的字段');
export type UpdateUser = z.input<typeof UpdateUserSchema>;

export const ResetPasswordSchema = z.object({ password: NewPassword });
export const ChangeOwnPasswordSchema = z.object({ currentPassword: z.string().min(1).max(128), newPassword: NewPassword });

export const GroupSchema = z
  .object({
    id: Id,
    name: z.string(),
    /** Supervisors (班长) who own the group and may watch and control its agents. */
    supervisorIds: z.array(Id),
    memberCount: z.number().int(),
  })
  .meta({ id: 'Group' });
export type Group = z.infer<typeof GroupSchema>;
export const UpsertGroupSchema = z.object({
  name: z.string().trim().min(1, '组名不能为空').max(64),
  supervisorIds: z.array(Id).default([]),
});

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    actorId: Id.nullable(),
    actorName: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Keyset pagination: entries with id below this. */
  before: z.coerce.bigint().positive().optional().transform((v) => v?.toString()),
  action: z.string().max(64).optional(),
  actorId: Id.optional(),
});

export const ActiveSessionSchema = z.object({
  id: Id,
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

const IdParams = z.object({ id: Id });
const NoContent = z.null();

export const accountRoutes = {
  login: route({
    method: 'POST', path: '/api/auth/login', summary: '登录 Sign in', tags: ['auth'], access: 'public',
    body: LoginRequestSchema, status: 200, response: SessionTokensSchema,
  }),
  refresh: route({
    method: 'POST', path: '/api/auth/refresh', summary: 'Rotate the refresh token', tags: ['auth'], access: 'public',
    body: RefreshRequestSchema, status: 200, response: SessionTokensSchema,
  }),
  /**
   * Ends this session. From the agent console's session it 签出s the agent first; while on a
   * call that is refused (409, the session stays) unless `keepAgentSignedIn=true` (the agent
   * confirmed: log out, stay 签入ed — the disconnect grace then applies).
   */
  logout: route({
    method: 'POST', path: '/api/auth/logout', summary: '退出 Sign out (revokes this session)', tags: ['auth'],
    access: 'authenticated', query: z.object({ keepAgentSignedIn: z.enum(['true', 'false']).optional() }),
    status: 204, response: NoContent,
  }),
  me: route({
    method: 'GET', path: '/api/me', summary: 'The signed-in user', tags: ['auth'], access: 'authenticated',
    status: 200, response: CurrentUserSchema,
  }),
  changeOwnPassword: route({
    method: 'POST', path: '/api/me/password', summary: 'Change own password', tags: ['auth'], access: 'authenticated',
    body: ChangeOwnPasswordSchema, status: 204, response: NoContent,
  }),
  listUsers: route({
    method: 'GET', path: '/api/users', summary: 'List users', tags: ['users'], access: 'users:manage',
    status: 200, response: z.object({ items: z.array(UserSchema) }),
  }),
  createUser: route({
    method: 'POST', path: '/api/users', summary: 'Create a user', tags: ['users'], access: 'users:manage',
    body: CreateUserSchema, status: 201, response: UserSchema,
  }),
  updateUser: route({
    method: 'PATCH', path: '/api/users/:id', summary: 'Update roles, groups, extension, disable/unlock', tags: ['users'],
    access: 'users:manage', params: IdParams, body: UpdateUserSchema, status: 200, response: UserSchema,
  }),
  resetPassword: route({
    method: 'POST', path: '/api/users/:id/password', summary: 'Reset a password (signs the user out everywhere)',
    tags: ['users'], access: 'users:manage', params: IdParams, body: ResetPasswordSchema, status: 204, response: NoContent,
  }),
  listSessions: route({
    method: 'GET', path: '/api/users/:id/sessions', summary: "A user's active sessions", tags: ['users'],
    access: 'sessions:revoke', params: IdParams, status: 200, response: z.object({ items: z.array(ActiveSessionSchema) }),
  }),
  revokeSessions: route({
    method: 'POST', path: '/api/users/:id/sessions/revoke', summary: 'Sign a user out everywhere, live', tags: ['users'],
    access: 'sessions:revoke', params: IdParams, status: 204, response: NoContent,
  }),
  listGroups: route({
    method: 'GET', path: '/api/groups', summary: 'List groups (坐席组)', tags: ['groups'], access: 'authenticated',
    status: 200, response: z.object({ items: z.array(GroupSchema) }),
  }),
  createGroup: route({
    method: 'POST', path: '/api/groups', summary: 'Create a group', tags: ['groups'], access: 'users:manage',
    body: UpsertGroupSchema, status: 201, response: GroupSchema,
  }),
  updateGroup: route({
    method: 'PATCH', path: '/api/groups/:id', summary: 'Rename a group or change its supervisors', tags: ['groups'],
    access: 'users:manage', params: IdParams, body: UpsertGroupSchema, status: 200, response: GroupSchema,
  }),
  listAudit: route({
    method: 'GET', path: '/api/audit', summary: 'Audit log, newest first', tags: ['audit'], access: 'audit:read',
    query: AuditQuerySchema, status: 200, response: z.object({ items: z.array(AuditEntrySchema) }),
  }),
} as const;
