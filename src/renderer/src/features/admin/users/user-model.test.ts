import { describe, expect, it } from 'vitest';
import { CreateUserSchema } from '../../../../../shared/api/accounts.js';
import type { User } from '../../../../../shared/api/accounts.js';
import { placeIssues, validate } from '../form-issues';
import { auditActionKey } from '../audit/audit-actions';
import { formValuesOf, toCreateBody, toUpdateBody, userFormFields, userStatus } from './user-model';

const G1 = '11111111-1111-4111-8111-111111111111';
const G2 = '22222222-2222-4222-8222-222222222222';
const user: User = {
  id: '33333333-3333-4333-8333-333333333333',
  username: 'agent1',
  displayName: '坐席一',
  roles: ['agent'],
  groupIds: [G1],
  extension: '8001',
  disabled: false,
  lockedUntil: null,
  lastLoginAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const NOW = Date.parse('2026-06-01T12:00:00.000Z');

describe('userStatus', () => {
  it('tells active, locked and disabled apart', () => {
    expect(userStatus(user, NOW)).toBe('active');
    expect(userStatus({ ...user, lockedUntil: '2026-06-01T12:10:00.000Z' }, NOW)).toBe('locked');
    expect(userStatus({ ...user, lockedUntil: '2026-06-01T11:00:00.000Z' }, NOW)).toBe('active');
    expect(userStatus({ ...user, disabled: true, lockedUntil: '2026-06-01T12:10:00.000Z' }, NOW)).toBe('disabled');
  });
});

describe('user form bodies', () => {
  it('builds CreateUser with a null extension when blank', () => {
    expect(toCreateBody({ username: 'agent9', displayName: '九', password: 'abc12345', roles: ['agent'], extension: ' ' })).toEqual({
      username: 'agent9',
      displayName: '九',
      password: 'abc12345',
      roles: ['agent'],
      groupIds: [],
      extension: null,
    });
  });

  it('sends only what changed', () => {
    const v = formValuesOf(user);
    expect(toUpdateBody(v, user)).toBeNull();
    expect(toUpdateBody({ ...v, roles: ['agent'], groupIds: [G1] }, user)).toBeNull(); // same sets
    expect(toUpdateBody({ ...v, roles: ['agent', 'supervisor'], extension: '' }, user)).toEqual({ roles: ['agent', 'supervisor'], extension: null });
    expect(toUpdateBody({ ...v, groupIds: [G2], disabled: true, displayName: '新' }, user)).toEqual({ groupIds: [G2], disabled: true, displayName: '新' });
  });
});

describe('placing validation issues on fields', () => {
  it('maps shared-schema issues to form fields', () => {
    const issues = validate(CreateUserSchema, toCreateBody({ username: 'A', displayName: '', password: 'abcdefgh', roles: [], extension: '12' }));
    const { byField, other } = placeIssues(issues, userFormFields);
    expect(byField.username).toEqual(['用户名为 3–32 位小写字母、数字或 _ . -']);
    expect(byField.displayName).toEqual(['姓名不能为空']);
    expect(byField.password).toEqual(['密码须包含数字']);
    expect(byField.roles).toEqual(['至少分配一个角色']);
    expect(byField.extension).toEqual(['分机号为 3–8 位数字']);
    expect(other).toEqual([]);
  });

  it('understands server paths and keeps the rest aside', () => {
    const { byField, other } = placeIssues(
      [
        { path: 'body.username', message: 'taken' },
        { path: 'groupIds.0', message: 'bad group' },
        { path: '', message: '没有要修改的字段' },
        { path: 'querystring.limit', message: 'too big' },
      ],
      userFormFields,
    );
    expect(byField).toEqual({ username: ['taken'], groupIds: ['bad group'] });
    expect(other).toEqual(['没有要修改的字段', 'too big']);
  });
});

describe('audit action labels', () => {
  it('knows the documented actions and leaves others alone', () => {
    expect(auditActionKey('auth.login_failed')).toBe('auth_login_failed');
    expect(auditActionKey('session.revoked')).toBe('session_revoked');
    expect(auditActionKey('ticket.created')).toBeNull();
  });
});
