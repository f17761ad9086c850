/** The words of a change notice, from a tally. */
import type { Params } from "../../i18n";
import { KINDS, type ChangeTally } from "./coalesce";

type Translate = (key: string, params?: Params) => string;

/** Only "one" and "other": enough for English and German. */
export function plural(count: number): "one" | "other" {
  return count === 1 ? "one" : "other";
}

export interface NoticeText {
  headline: string;
  /** "Company 3 · Person 2", or empty. */
  types: string;
}

export function noticeText(
  tally: ChangeTally,
  t: Translate,
  label: (schema: string) => string,
  number: (value: number) => string = String,
): NoticeText {
  const counts = KINDS.map((kind) => [kind, tally.count(kind)] as const).filter(([, n]) => n > 0);
  const parts: string[] = [];
  if (counts.length === 1) {
    const [kind, n] = counts[0]!;
    parts.push(t(`realtime.only.${kind}.${plural(n)}`, { count: n }));
  } else if (counts.length > 1) {
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const detail = counts.map(([kind, n]) => t(`realtime.part.${kind}`, { count: n })).join(", ");
    parts.push(t(`realtime.mixed.${plural(total)}`, { count: total, detail }));
  }
  if (tally.bulk) parts.push(t("realtime.bulk"));
  if (tally.missed > 0) parts.push(t("realtime.missed", { count: tally.missed }));
  const types = tally
    .typeCounts()
    .slice(0, 4)
    .map(([schema, n]) => `${label(schema)} ${number(n)}`);
  if (tally.typeCounts().length > 4) types.push("…");
  return { headline: parts.join(" "), types: types.join(" · ") };
}
