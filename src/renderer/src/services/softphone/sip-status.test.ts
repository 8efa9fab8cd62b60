import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from '../../i18n/en';
import { zhCN } from '../../i18n/zh-CN';
import { softphoneIssues, type SoftphoneIssue } from './issues';
import { sipStatusIssue } from './sip-status';

// Compile-time: every issue code has words in both languages.
const zhIssues: Record<SoftphoneIssue, string> = zhCN.softphone.issues;
const enIssues: Record<SoftphoneIssue, string> = en.softphone.issues;

const i18n = i18next.createInstance();
void i18n.init({ resources: { 'zh-CN': { translation: zhCN } }, lng: 'zh-CN', interpolation: { escapeValue: false }, initAsync: false });
const text = (code: number): string => i18n.t(`softphone.issues.${sipStatusIssue(code)}`);

describe('sipStatusIssue', () => {
  it('says the common failures in plain zh-CN', () => {
    expect(text(404)).toBe('号码不存在');
    expect(text(486)).toBe('对方忙');
    expect(text(480)).toBe('对方暂时无法接通');
    expect(text(503)).toBe('服务不可用');
    expect(text(408)).toBe('无应答');
    expect(text(487)).toBe('呼叫已取消');
    expect(text(603)).toBe('对方拒绝接听');
  });

  it('classifies unknown codes by class', () => {
    expect(sipStatusIssue(499)).toBe('callFailed');
    expect(sipStatusIssue(502)).toBe('serverError');
    expect(sipStatusIssue(699)).toBe('declined');
    expect(sipStatusIssue(600)).toBe('busy');
  });

  it('has a message for every issue in every language', () => {
    for (const code of softphoneIssues) {
      expect(zhIssues[code], code).toBeTruthy();
      expect(enIssues[code], code).toBeTruthy();
    }
    expect(Object.keys(zhIssues).sort()).toEqual([...softphoneIssues].sort());
  });
});
