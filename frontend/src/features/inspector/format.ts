/** Verification outcomes and counts as sentences in the viewer's language. */
import type { I18n } from "../../i18n";
import { abbreviate } from "./model";
import type { ReasonCode, ReasonParams, Step } from "./verify";

type T = I18n["t"];

/** A failure reason; its `what` and `problem` parameters are codes with their own keys. */
export function reasonText(t: T, reason: { code: ReasonCode; params: ReasonParams }): string {
  const params: ReasonParams = { ...reason.params };
  if (typeof params.what === "string") params.what = t(`inspector.field.${params.what}`);
  if (typeof params.problem === "string") params.problem = t(`inspector.problem.${params.problem}`);
  return t(`inspector.reason.${reason.code}`, params);
}

/** What a step found (passed), why it failed, or why it did not run. */
export function stepDetail(t: T, step: Step): string {
  if (step.status === "failed" && step.reason) return reasonText(t, step.reason);
  if (step.status === "skipped") return t(`inspector.skipped.${String(step.params.needs)}`);
  const params: ReasonParams = { ...step.params };
  if (typeof params.hash === "string") params.hash = abbreviate(params.hash, 16, 8);
  if (step.id === "signature" && Number(params.count) > 1) return t("inspector.passed.signatures", params);
  return t(`inspector.passed.${step.id}`, params);
}

export function sourcesText(t: T, count: number): string {
  if (count === 0) return t("inspector.sources.none");
  return t(count === 1 ? "inspector.sources.one" : "inspector.sources.other", { count });
}
