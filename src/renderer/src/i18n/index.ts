/**
 * i18next setup: zh-CN by default, English available. Keys are type-checked against
 * zh-CN.ts. The chosen language is remembered in localStorage (`hotline.lang`) and also
 * switches dayjs and zod's built-in validation messages; antd's locale follows in App.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { z } from 'zod';
import { en } from './en';
import { zhCN, type Messages } from './zh-CN';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}

export const languages = ['zh-CN', 'en'] as const;
export type Language = (typeof languages)[number];
const LANGUAGE_KEY = 'hotline.lang';

function storedLanguage(): Language {
  try {
    const value = window.localStorage.getItem(LANGUAGE_KEY);
    return languages.find((l) => l === value) ?? 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

function applyToLibraries(lang: Language): void {
  dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
  z.config(lang === 'en' ? z.locales.en() : z.locales.zhCN());
  document.documentElement.lang = lang;
}

export function currentLanguage(): Language {
  return languages.find((l) => l === i18next.language) ?? 'zh-CN';
}

export async function changeLanguage(lang: Language): Promise<void> {
  try {
    window.localStorage.setItem(LANGUAGE_KEY, lang);
  } catch {
    // not remembered: fine
  }
  applyToLibraries(lang);
  await i18next.changeLanguage(lang);
}

const initial = storedLanguage();
applyToLibraries(initial);
void i18next.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: initial,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false }, // React escapes
  initAsync: false,
});

export { i18next };
