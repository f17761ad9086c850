/**
 * Strings, dates and numbers in the viewer's language. Every visible string is a key in a
 * catalogue (src/i18n/catalog.ts gathers the core's and each feature's); English is the
 * source and German must have every key (a unit test checks).
 */
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { CATALOGUES, type Locale, LOCALES } from "./catalog";

export type { Locale };
export { LOCALES };

export type Params = Record<string, string | number>;

/** Replaces `{name}` placeholders; numbers are formatted for the locale. */
export function interpolate(template: string, params: Params | undefined, locale: Locale): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? formatNumber(value, locale) : value;
  });
}

export function translate(locale: Locale, key: string, params?: Params): string {
  const template = CATALOGUES[locale][key] ?? CATALOGUES.en[key];
  if (template === undefined) return key; // visible in the UI and caught by the catalogue test
  return interpolate(template, params, locale);
}

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** A date-time for people: the locale's medium date and short time, in the viewer's zone. */
export function formatDateTime(value: string | number | Date | null | undefined, locale: Locale): string {
  if (value === null || value === undefined || value === "") return "—";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatDate(value: string | number | Date | null | undefined, locale: Locale): string {
  if (value === null || value === undefined || value === "") return "—";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date);
}

export interface I18n {
  locale: Locale;
  t: (key: string, params?: Params) => string;
  number: (value: number) => string;
  dateTime: (value: string | number | Date | null | undefined) => string;
  date: (value: string | number | Date | null | undefined) => string;
}

export function makeI18n(locale: Locale): I18n {
  return {
    locale,
    t: (key, params) => translate(locale, key, params),
    number: (value) => formatNumber(value, locale),
    dateTime: (value) => formatDateTime(value, locale),
    date: (value) => formatDate(value, locale),
  };
}

const I18nContext = createContext<I18n>(makeI18n("en"));

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const value = useMemo(() => makeI18n(locale), [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** The browser's preferred supported locale, else English. */
export function preferredLocale(languages: readonly string[] = navigator.languages ?? []): Locale {
  for (const language of languages) {
    const base = language.toLowerCase().split("-")[0];
    const found = LOCALES.find((locale) => locale === base);
    if (found) return found;
  }
  return "en";
}
