/** Every catalogue, merged per locale. Add a feature's strings here once. */
import * as core from "./core";
import * as login from "../features/login/i18n";
import * as search from "../features/search/i18n";
import * as table from "../features/table/i18n";
import * as graph from "../features/graph/i18n";
import * as inspector from "../features/inspector/i18n";
import * as privacy from "../features/privacy/i18n";
import * as exportsFeature from "../features/exports/i18n";
import * as realtime from "../features/realtime/i18n";
import * as ingest from "../features/ingest/i18n";

export const LOCALES = ["en", "de"] as const;
export type Locale = (typeof LOCALES)[number];

const parts = [core, login, search, table, graph, inspector, privacy, exportsFeature, realtime, ingest];

export const CATALOGUES: Record<Locale, Record<string, string>> = {
  en: Object.assign({}, ...parts.map((part) => part.en)) as Record<string, string>,
  de: Object.assign({}, ...parts.map((part) => part.de)) as Record<string, string>,
};
