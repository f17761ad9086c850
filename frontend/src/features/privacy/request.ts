/**
 * A request for an authority binding, as text to send to an administrator. The API has no
 * way for a non-admin to ask for one (only `createAuthority`, admins with a fresh sign-in),
 * so the request carries the exact command an admin runs to grant it.
 */
import type { Params } from "../../i18n";

export const AUTHORITY_KINDS = ["warrant", "court-order", "consent", "licence", "other"] as const;
/** Licence classes the export gate holds back unless an authority names them. */
export const GATED_LICENCES = ["Restricted-TOS", "Embargoed"] as const;

export interface AuthorityRequest {
  kind: string;
  issuer: string;
  reference: string;
  purpose: string;
  entityIds: string[];
  licences: string[];
  days: number;
  justification: string;
}

export interface Requester {
  name: string;
  tenant: string;
}

/** What is still missing before the request can be sent (message keys). */
export function missingFields(request: AuthorityRequest): string[] {
  const missing: string[] = [];
  if (!request.purpose) missing.push("purpose");
  if (!request.justification.trim()) missing.push("justification");
  if (!(request.days > 0)) missing.push("days");
  if (request.entityIds.length === 0 && request.licences.length === 0) missing.push("scope");
  return missing;
}

/** Entity ids from free text: separated by commas, spaces or lines; duplicates dropped. */
export function parseIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((id) => id.trim()).filter(Boolean))];
}

/** POSIX shell quoting, so the admin can paste the command as it is. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.,:/@+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function grantCommand(request: AuthorityRequest, requester: Requester): string {
  const parts = [
    "intelgraph authority grant",
    `--kind ${shellQuote(request.kind)}`,
    `--issuer ${shellQuote(request.issuer.trim() || "?")}`,
    `--reference ${shellQuote(request.reference.trim() || "?")}`,
    `--purpose ${shellQuote(request.purpose)}`,
  ];
  if (request.entityIds.length) parts.push(`--entities ${shellQuote(request.entityIds.join(","))}`);
  if (request.licences.length) parts.push(`--licences ${shellQuote(request.licences.join(","))}`);
  parts.push(`--holders ${shellQuote(requester.name)}`, `--days ${request.days}`);
  return parts.join(" ");
}

type Translate = (key: string, params?: Params) => string;

/** The whole request, in the requester's language; the command stays literal. */
export function requestText(request: AuthorityRequest, requester: Requester, t: Translate): string {
  const none = t("common.none");
  const lines = [
    t("privacy.request.textTitle"),
    "",
    `${t("privacy.request.textRequester")}: ${requester.name} (${t("privacy.request.textTenant")} ${requester.tenant})`,
    `${t("privacy.request.kind")}: ${request.kind}`,
    `${t("privacy.request.issuer")}: ${request.issuer.trim() || none}`,
    `${t("privacy.request.textReference")}: ${request.reference.trim() || none}`,
    `${t("privacy.request.purpose")}: ${request.purpose}`,
    `${t("privacy.request.entities")}: ${request.entityIds.length ? request.entityIds.join(", ") : none}`,
    `${t("privacy.request.licences")}: ${request.licences.length ? request.licences.join(", ") : none}`,
    `${t("privacy.request.days")}: ${request.days}`,
    `${t("privacy.request.justification")}:`,
    ...request.justification.trim().split("\n").map((line) => `  ${line}`),
    "",
    t("privacy.request.textGrant"),
    grantCommand(request, requester),
  ];
  return lines.join("\n");
}
