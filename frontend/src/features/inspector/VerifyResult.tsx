/**
 * The outcome of a browser-side verification: the verdict, each step with what it found or
 * why it failed, the key's fingerprint to compare out of band, and (for comparison only)
 * what the server itself said.
 */
import CancelIcon from "@mui/icons-material/Cancel";
import CheckCircleIcon from "@mui/icons-material/CheckCircle";
import RemoveCircleIcon from "@mui/icons-material/RemoveCircle";
import { Alert, Box, Typography } from "@mui/material";
import { useI18n } from "../../i18n";
import { visuallyHidden } from "../../components/visuallyHidden";
import { reasonText, stepDetail } from "./format";
import { HashText } from "./HashText";
import type { Verification } from "./useVerification";
import type { Step } from "./verify";

const ICONS = {
  passed: <CheckCircleIcon fontSize="small" sx={{ color: "success.main" }} />,
  failed: <CancelIcon fontSize="small" sx={{ color: "error.main" }} />,
  skipped: <RemoveCircleIcon fontSize="small" sx={{ color: "text.secondary" }} />,
} as const;

function StepLine({ step }: { step: Step }) {
  const { t } = useI18n();
  const full = typeof step.params.hash === "string" ? step.params.hash : undefined;
  return (
    <Box component="li" data-step={step.id} data-step-status={step.status} sx={{ display: "flex", gap: 0.75, alignItems: "flex-start", mb: 0.5 }}>
      <Box component="span" aria-hidden="true" sx={{ display: "inline-flex", mt: "1px" }}>
        {ICONS[step.status]}
      </Box>
      <Box component="span" sx={{ fontSize: "0.8rem", overflowWrap: "anywhere" }} title={full}>
        <strong>{t(`inspector.step.${step.id}`)}</strong>
        {/* The icon's shape shows the status; words for those who cannot see it. */}
        <Box component="span" sx={visuallyHidden}>
          {" "}
          ({t(`inspector.status.${step.status}`)})
        </Box>
        : {stepDetail(t, step)}
      </Box>
    </Box>
  );
}

const COMMAND_MARK = "\u0001";

/** A translated sentence with a shell command set in code type where {command} stood. */
function WithCommand({ text, command }: { text: string; command: string }) {
  const [before, after = ""] = text.split(COMMAND_MARK);
  return (
    <>
      {before}
      <code>{command}</code>
      {after}
    </>
  );
}

type Done = Extract<Verification, { status: "done" }>;

function Report({ result }: { result: Done }) {
  const { t, dateTime } = useI18n();
  const { report, server, run } = result;
  const verified = report.status === "verified";
  return (
    <>
      <Typography sx={{ fontWeight: 700, fontSize: "0.875rem", display: "flex", alignItems: "center", gap: 0.75 }}>
        <Box component="span" aria-hidden="true" sx={{ display: "inline-flex" }}>
          {verified ? ICONS.passed : ICONS.failed}
        </Box>
        {verified ? t("inspector.verified") : t("inspector.failed", { reason: report.failure ? reasonText(t, report.failure) : "" })}
      </Typography>
      <Box component="ol" sx={{ listStyle: "none", p: 0, m: 0, mt: 0.75 }}>
        {report.steps.map((step) => (
          <StepLine key={step.id} step={step} />
        ))}
      </Box>
      {report.signers.map((signer) => (
        <Box key={signer.keyId} sx={{ fontSize: "0.8rem", mt: 0.5 }}>
          <strong>{t("inspector.fingerprint")}</strong> {signer.keyId} ({signer.current ? t("inspector.keyCurrent") : t("inspector.keyEarlier")}):{" "}
          <HashText value={signer.vkey} what="verifierKey" head={24} tail={10} />
          <Box sx={{ color: "text.secondary" }}>
            <WithCommand text={t("inspector.fingerprintHint", { command: COMMAND_MARK })} command="intelgraph keys show" />
          </Box>
        </Box>
      ))}
      <Box sx={{ fontSize: "0.8rem", color: "text.secondary", mt: 0.5 }}>
        {report.checkpoint ? <div>{t("inspector.checkpointInfo", { size: report.checkpoint.size, date: dateTime(report.checkpoint.createdAt) })}</div> : null}
        <div>{run ? t("inspector.run", { id: run.id, connector: run.connector, date: dateTime(run.startedAt) }) : t("inspector.noRun")}</div>
        <div>{server.verified ? t("inspector.serverAgrees") : t("inspector.serverDisagrees", { problem: server.problem ?? "—" })}</div>
      </Box>
    </>
  );
}

export function VerifyResult({ result }: { result: Verification }) {
  const { t } = useI18n();
  if (result.status === "running")
    return (
      <Typography variant="body2" sx={{ fontSize: "0.8rem" }}>
        {t("inspector.verifying")}
      </Typography>
    );
  if (result.status === "done")
    return (
      <Box
        data-testid="verify-result"
        data-status={result.report.status}
        data-implementation={result.report.signers[0]?.implementation}
        sx={{ border: 1, borderColor: result.report.status === "verified" ? "success.main" : "error.main", borderRadius: 1, p: 1, mt: 0.5 }}
      >
        <Report result={result} />
      </Box>
    );
  const message =
    result.status === "absent"
      ? t("inspector.evidenceAbsent")
      : result.what === "keys"
        ? t("inspector.keysError", { message: result.message })
        : t("inspector.evidenceError", { message: result.message });
  return (
    <Alert severity="error" role="status" data-testid="verify-result" data-status="failed" sx={{ mt: 0.5, py: 0, fontSize: "0.8rem" }}>
      {message}
    </Alert>
  );
}
