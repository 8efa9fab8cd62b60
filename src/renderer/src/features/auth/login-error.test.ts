import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import { errorCodes, type ApiError } from '../../../../shared/errors.js';
import { en } from '../../i18n/en';
import { zhCN } from '../../i18n/zh-CN';
import { ApiCallError } from '../../services/api-client';
import { loginErrorView } from './login-error';

const i18n = i18next.createInstance();
void i18n.init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: 'zh-CN',
  interpolation: { escapeValue: false },
  initAsync: false,
});
const t = i18n.t;
const fail = (e: Partial<ApiError> & Pick<ApiError, 'code'>): ApiCallError =>
  new ApiCallError({ statusCode: 400, message: 'server text, never shown', ...e });

describe('loginErrorView', () => {
  it('explains wrong credentials', () => {
    expect(loginErrorView(fail({ code: 'INVALID_CREDENTIALS' }), t)).toEqual({ message: '用户名或密码错误', details: [], retryable: false });
  });

  it('gives the lockout in whole minutes, rounded up', () => {
    expect(loginErrorView(fail({ code: 'ACCOUNT_LOCKED', retryAfter: 61 }), t).message).toBe('账号已锁定，请 2 分钟后再试或联系管理员');
    expect(loginErrorView(fail({ code: 'ACCOUNT_LOCKED', retryAfter: 15 }), t).message).toBe('账号已锁定，请 1 分钟后再试或联系管理员');
    expect(loginErrorView(fail({ code: 'ACCOUNT_LOCKED' }), t).message).toBe('账号已锁定，请稍后再试或联系管理员');
  });

  it('covers disabled accounts and rate limiting', () => {
    expect(loginErrorView(fail({ code: 'ACCOUNT_DISABLED' }), t).message).toBe('账号已停用，请联系管理员');
    expect(loginErrorView(fail({ code: 'RATE_LIMITED' }), t).message).toBe('尝试过于频繁，请稍后再试');
    expect(loginErrorView(fail({ code: 'RATE_LIMITED', retryAfter: 30 }), t).message).toBe('尝试过于频繁，请 30 秒后再试');
  });

  it('offers 重试 only when the server is unreachable', () => {
    const v = loginErrorView(new ApiCallError({ statusCode: 0, code: 'UNAVAILABLE', message: 'fetch failed' }), t);
    expect(v).toEqual({ message: '无法连接服务器', details: [], retryable: true });
  });

  it('lists validation issues', () => {
    const v = loginErrorView(fail({ code: 'VALIDATION_FAILED', issues: [{ path: 'username', message: '用户名为 3–32 位小写字母、数字或 _ . -' }] }), t);
    expect(v.message).toBe('提交的内容有误，请检查后重试');
    expect(v.details).toEqual(['用户名为 3–32 位小写字母、数字或 _ . -']);
  });

  it('has a message for every error code in both languages, never the server text', () => {
    for (const lng of ['zh-CN', 'en'] as const) {
      const tl = i18n.getFixedT(lng);
      for (const code of errorCodes) {
        const message = loginErrorView(fail({ code }), tl).message;
        expect(message).not.toContain('errors.');
        expect(message).not.toContain('never shown');
      }
    }
  });

  it('treats unknown failures as internal errors', () => {
    expect(loginErrorView(new Error('boom'), t).message).toBe('服务器内部错误，请稍后再试');
  });
});
