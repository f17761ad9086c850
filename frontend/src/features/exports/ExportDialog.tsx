/** The export dialog: choose format, purpose and authority; follow the job; download the bundle. */
import { useId, useState, type FormEvent } from "react";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  LinearProgress,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import VerifiedOutlinedIcon from "@mui/icons-material/VerifiedOutlined";
import { ApiError } from "../../api/client";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { authorityLabel, useHeldAuthorities } from "../privacy/authorities";
import { formatBytes } from "./bytes";
import { downloadExport } from "./download";
import { DEFAULT_FORMAT, EXPORT_FORMATS, type ExportFormat } from "./formats";
import { percent, type ExportState, type JobError } from "./state";
import type { ExportRequest } from "./useExportJob";

interface Job {
  state: ExportState;
  start: (request: ExportRequest) => Promise<void>;
  reset: () => void;
}

const NONE = "";

export function ExportDialog({ ids, job, onClose }: { ids: string[]; job: Job; onClose: () => void }) {
  const app = useApp();
  const { t, locale } = useI18n();
  const titleId = useId();
  const viewer = app.viewer;
  const { authorities } = useHeldAuthorities();
  const [format, setFormat] = useState<ExportFormat>(DEFAULT_FORMAT);
  const [purpose, setPurpose] = useState(app.purpose ?? viewer?.purposes[0] ?? NONE);
  const [authority, setAuthority] = useState(app.authority ?? NONE);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<JobError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const state = job.state;
  const editing = state.phase === "form" || state.phase === "submitting";

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!purpose) return;
    void job.start({ ids, format, purpose, authority: authority || null });
  }

  async function download() {
    if (state.phase !== "succeeded") return;
    setDownloading(true);
    setDownloadError(null);
    try {
      setSaved(await downloadExport(state.download, state.jobId));
    } catch (error) {
      setDownloadError(
        error instanceof ApiError ? { code: error.code, message: error.message, hint: error.hint ?? null } : { code: "error", message: String(error) },
      );
    } finally {
      setDownloading(false);
    }
  }

  function again() {
    setSaved(null);
    setDownloadError(null);
    job.reset();
  }

  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth data-testid="export-dialog">
      <DialogTitle id={titleId}>{ids.length === 1 ? t("exports.titleOne") : t("exports.title", { count: ids.length })}</DialogTitle>
      <DialogContent>
        {editing && (
          <Box component="form" id={`${titleId}-form`} onSubmit={submit} sx={{ pt: 1 }}>
            <Stack spacing={2}>
              <TextField
                select
                label={t("exports.format")}
                value={format}
                onChange={(event) => setFormat(event.target.value as ExportFormat)}
                helperText={t(`exports.formatHelp.${format}`)}
                slotProps={{ select: { native: true }, inputLabel: { shrink: true }, htmlInput: { "data-testid": "export-format" } }}
              >
                {EXPORT_FORMATS.map((item) => (
                  <option key={item} value={item}>
                    {t(`exports.formatName.${item}`)}
                  </option>
                ))}
              </TextField>
              <TextField
                select
                required
                label={t("exports.purpose")}
                value={purpose}
                onChange={(event) => setPurpose(event.target.value)}
                error={!purpose}
                helperText={purpose ? t("exports.purposeHelp") : t("exports.purposeRequired")}
                slotProps={{ select: { native: true }, inputLabel: { shrink: true }, htmlInput: { "data-testid": "export-purpose" } }}
              >
                {!purpose && <option value={NONE}>{t("exports.choosePurpose")}</option>}
                {(viewer?.purposes ?? []).map((item) => (
                  <option key={item} value={item}>
                    {item}
                  </option>
                ))}
              </TextField>
              <TextField
                select
                label={t("exports.authority")}
                value={authority}
                onChange={(event) => setAuthority(event.target.value)}
                helperText={t("exports.authorityHelp")}
                slotProps={{ select: { native: true }, inputLabel: { shrink: true }, htmlInput: { "data-testid": "export-authority" } }}
              >
                <option value={NONE}>{t("exports.noAuthority")}</option>
                {authorities.map((item) => (
                  <option key={item.id} value={item.id}>
                    {authorityLabel(item)}
                  </option>
                ))}
                {authority && !authorities.some((item) => item.id === authority) && <option value={authority}>{authority}</option>}
              </TextField>
              <Alert severity="info" icon={<VerifiedOutlinedIcon />}>
                {t("exports.signedExplain")} <code>intelgraph verify FILE</code>
              </Alert>
            </Stack>
          </Box>
        )}

        <Box role="status" aria-live="polite">
          {state.phase === "submitting" && <Typography sx={{ mt: 2 }}>{t("exports.submitting")}</Typography>}
          {state.phase === "running" && (
            <Stack spacing={1} sx={{ pt: 1 }}>
              <Typography>{t(state.via === "polling" ? "exports.waiting" : state.status === "queued" ? "exports.queued" : "exports.running")}</Typography>
              <Stack direction="row" spacing={2} sx={{ alignItems: "center" }}>
                <LinearProgress
                  variant="determinate"
                  value={percent(state.progress)}
                  aria-label={t("exports.progressLabel")}
                  aria-valuetext={t("exports.percent", { percent: percent(state.progress) })}
                  data-testid="export-progress"
                  sx={{ flex: 1, height: 8, borderRadius: 1 }}
                />
                <Typography variant="body2" sx={{ minWidth: 48, textAlign: "right" }}>
                  {t("exports.percent", { percent: percent(state.progress) })}
                </Typography>
              </Stack>
              {state.via === "polling" && (
                <Typography variant="body2" color="text.secondary">
                  {t("exports.polling")}
                </Typography>
              )}
            </Stack>
          )}
          {state.phase === "succeeded" && (
            <Stack spacing={1} sx={{ pt: 1 }}>
              <Alert severity="success">
                <AlertTitle>{t("exports.succeeded")}</AlertTitle>
                {state.summary && state.summary.entities !== null && (
                  <div>
                    {t("exports.summary", {
                      entities: state.summary.entities ?? 0,
                      edges: state.summary.edges ?? 0,
                      statements: state.summary.statements ?? 0,
                    })}
                    {state.summary.bytes !== null && ` · ${formatBytes(state.summary.bytes, locale)}`}
                  </div>
                )}
                {state.summary?.manifestSha256 && (
                  <Box sx={{ mt: 0.5, fontSize: 12, wordBreak: "break-all" }}>
                    {t("exports.manifest")} <code>{state.summary.manifestSha256}</code>
                  </Box>
                )}
              </Alert>
              <Typography variant="body2">{t("exports.verifyAfter")}</Typography>
              {saved && <Typography variant="body2">{t("exports.saved", { name: saved })}</Typography>}
            </Stack>
          )}
        </Box>

        {state.phase === "failed" && <ProblemAlert error={state.error} testId="export-error" />}
        {downloadError && <ProblemAlert error={downloadError} testId="export-download-error" />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{state.phase === "running" ? t("exports.hide") : t("common.close")}</Button>
        {editing && (
          <Button type="submit" form={`${titleId}-form`} variant="contained" disabled={state.phase === "submitting" || !purpose} data-testid="export-submit">
            {t("exports.submit")}
          </Button>
        )}
        {state.phase === "failed" && (
          <Button variant="contained" onClick={again}>
            {t("exports.again")}
          </Button>
        )}
        {state.phase === "succeeded" && (
          <>
            <Button onClick={again}>{t("exports.another")}</Button>
            <Button variant="contained" onClick={() => void download()} disabled={downloading} data-testid="export-download">
              {downloading ? t("exports.downloading") : t("exports.download")}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}

function ProblemAlert({ error, testId }: { error: JobError; testId: string }) {
  const { t } = useI18n();
  const known = ["export_refused", "purpose_not_held", "authority_unknown", "forbidden", "not_found", "network", "cancelled"].includes(error.code);
  return (
    <Alert severity="error" role="alert" data-testid={testId} sx={{ mt: 2 }}>
      <AlertTitle>{known ? t(`exports.error.${error.code}`) : t("exports.error.other")}</AlertTitle>
      <div>{error.message}</div>
      {error.hint && <div>{t("exports.hint", { hint: error.hint })}</div>}
      <Typography variant="caption" component="div" sx={{ mt: 0.5 }}>
        {t("exports.code", { code: error.code })}
      </Typography>
    </Alert>
  );
}
