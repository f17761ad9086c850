/** Ingest runs: what was loaded from where, how it went, and the runs still going, live. */
import { useEffect, type CSSProperties } from "react";
import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import CheckCircleOutlineIcon from "@mui/icons-material/CheckCircleOutlined";
import ErrorOutlineIcon from "@mui/icons-material/ErrorOutlined";
import PauseCircleOutlineIcon from "@mui/icons-material/PauseCircleOutlined";
import HelpOutlineIcon from "@mui/icons-material/HelpOutlined";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { markingText } from "../privacy/classification";
import { formatDuration, inputNames, isFinished, KNOWN_STATUSES, type RunRow } from "./runs";
import { useIngestRuns } from "./useIngestRuns";
import { visuallyHidden } from "../../components/visuallyHidden";

const REGION = "ingest";

function StatusChip({ status }: { status: string }) {
  const { t } = useI18n();
  const label = (KNOWN_STATUSES as readonly string[]).includes(status) ? t(`ingest.status.${status}`) : status;
  if (!isFinished(status))
    return <Chip size="small" variant="outlined" color="primary" icon={<CircularProgress size={12} aria-hidden="true" />} label={label} />;
  if (status === "completed" || status === "succeeded")
    return <Chip size="small" variant="outlined" color="success" icon={<CheckCircleOutlineIcon />} label={label} />;
  if (status === "failed") return <Chip size="small" variant="outlined" color="error" icon={<ErrorOutlineIcon />} label={label} />;
  if (status === "interrupted" || status === "aborted")
    return <Chip size="small" variant="outlined" color="warning" icon={<PauseCircleOutlineIcon />} label={label} />;
  return <Chip size="small" variant="outlined" icon={<HelpOutlineIcon />} label={label} />;
}

function RunRowView({ row }: { row: RunRow }) {
  const { t, number, dateTime } = useI18n();
  const marking = row.source ? markingText({ level: row.source.labels.classification, name: row.source.labels.classificationName }) : null;
  const finished = row.finishedAt ? Date.parse(row.finishedAt) - Date.parse(row.startedAt) : null;
  const files = inputNames(row.inputs);
  return (
    <TableRow data-testid="ingest-run" data-run-id={row.id} data-status={row.status} hover>
      <TableCell component="th" scope="row">
        <Typography variant="body2" sx={{ fontWeight: 600 }}>
          {row.sourceName ?? t("ingest.unknownSource")}
        </Typography>
        <Typography variant="caption" color="text.secondary" component="div">
          {row.connector}
          {files && ` · ${files}`}
        </Typography>
      </TableCell>
      <TableCell>
        <StatusChip status={row.status} />
        {row.error && (
          <Typography variant="caption" color="error" component="div" sx={{ mt: 0.5, maxWidth: 280 }}>
            {row.error}
          </Typography>
        )}
      </TableCell>
      <TableCell align="right">{number(row.counts.read)}</TableCell>
      <TableCell align="right">{number(row.counts.loaded)}</TableCell>
      <TableCell align="right">{number(row.counts.skipped)}</TableCell>
      <TableCell align="right">{number(row.counts.deadLetters)}</TableCell>
      <TableCell align="right">{number(row.counts.statements)}</TableCell>
      <TableCell sx={{ whiteSpace: "nowrap" }}>{dateTime(row.startedAt)}</TableCell>
      <TableCell sx={{ whiteSpace: "nowrap" }}>
        {row.finishedAt ? dateTime(row.finishedAt) : t("ingest.notFinished")}
        {finished !== null && Number.isFinite(finished) && (
          <Typography variant="caption" color="text.secondary" component="div">
            {t("ingest.took", { duration: formatDuration(finished, number) })}
          </Typography>
        )}
      </TableCell>
      <TableCell sx={{ whiteSpace: "nowrap" }}>{marking ?? (row.source ? t("privacy.level", { level: row.source.labels.classification }) : "—")}</TableCell>
    </TableRow>
  );
}

export function IngestView() {
  const app = useApp();
  const { t } = useI18n();
  const runs = useIngestRuns();
  const report = app.reportClassifications;

  // The sources' markings are on screen with their names.
  const marks = runs.rows
    .filter((row) => row.source)
    .map((row) => ({ level: row.source!.labels.classification, name: row.source!.labels.classificationName }));
  const marksKey = JSON.stringify(marks.reduce((best, mark) => (mark.level > best.level ? mark : best), { level: -1, name: "" }));
  useEffect(() => {
    const highest = JSON.parse(marksKey) as { level: number; name: string };
    report(REGION, highest.level >= 0 ? [highest] : []);
  }, [marksKey, report]);
  useEffect(() => () => report(REGION, []), [report]);

  const active = runs.rows.filter((row) => !isFinished(row.status)).length;
  const announcement = runs.appeared.length
    ? t("ingest.appeared", { count: runs.appeared.length, source: runs.appeared[0]?.sourceName ?? t("ingest.unknownSource") })
    : "";

  return (
    <Box>
      <Stack direction="row" sx={{ alignItems: "baseline", justifyContent: "space-between", flexWrap: "wrap", gap: 1, mb: 1 }}>
        <Typography variant="h5" component="h2">
          {t("ingest.title")}
        </Typography>
        <Stack direction="row" spacing={2} sx={{ alignItems: "center" }}>
          {active > 0 && <Typography variant="body2">{t(active === 1 ? "ingest.active.one" : "ingest.active.other", { count: active })}</Typography>}
          <Button size="small" onClick={runs.refresh} data-testid="ingest-refresh">
            {t("ingest.refresh")}
          </Button>
        </Stack>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2, maxWidth: 900 }}>
        {t("ingest.intro")}
      </Typography>
      <Box role="status" sx={visuallyHidden}>
        {announcement}
      </Box>
      {runs.error && (
        <Alert
          severity="error"
          role="alert"
          sx={{ mb: 2 }}
          action={
            <Button color="inherit" size="small" onClick={runs.refresh}>
              {t("common.retry")}
            </Button>
          }
        >
          {t("common.error", { message: runs.error.message })}
          {runs.error.hint && ` ${runs.error.hint}`}
        </Alert>
      )}
      <TableContainer sx={{ border: 1, borderColor: "divider", borderRadius: 1 }}>
        <Table size="small" data-testid="ingest-runs" aria-busy={runs.loading}>
          <caption style={visuallyHidden as CSSProperties}>{t("ingest.caption")}</caption>
          <TableHead>
            <TableRow>
              <TableCell scope="col">{t("ingest.col.source")}</TableCell>
              <TableCell scope="col">{t("ingest.col.status")}</TableCell>
              <TableCell scope="col" align="right">
                {t("ingest.col.read")}
              </TableCell>
              <TableCell scope="col" align="right">
                {t("ingest.col.loaded")}
              </TableCell>
              <TableCell scope="col" align="right">
                {t("ingest.col.skipped")}
              </TableCell>
              <TableCell scope="col" align="right">
                {t("ingest.col.deadLetters")}
              </TableCell>
              <TableCell scope="col" align="right">
                {t("ingest.col.statements")}
              </TableCell>
              <TableCell scope="col">{t("ingest.col.started")}</TableCell>
              <TableCell scope="col">{t("ingest.col.finished")}</TableCell>
              <TableCell scope="col">{t("ingest.col.marking")}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {runs.rows.map((row) => (
              <RunRowView key={row.id} row={row} />
            ))}
            {!runs.loading && runs.rows.length === 0 && !runs.error && (
              <TableRow>
                <TableCell colSpan={10}>
                  <Typography variant="body2" sx={{ py: 2 }}>
                    {t("ingest.empty")} <code>intelgraph ingest FILE</code>
                  </Typography>
                </TableCell>
              </TableRow>
            )}
            {runs.loading && runs.rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={10}>{t("common.loading")}</TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </TableContainer>
      <Stack direction="row" spacing={2} sx={{ mt: 1, alignItems: "center" }}>
        <Typography variant="body2" color="text.secondary">
          {t(runs.rows.length === 1 ? "ingest.shown.one" : "ingest.shown.other", { count: runs.rows.length })}
        </Typography>
        {runs.hasMore && (
          <Button size="small" onClick={runs.loadMore} disabled={runs.loadingMore} data-testid="ingest-more">
            {runs.loadingMore ? t("common.loading") : t("ingest.more")}
          </Button>
        )}
      </Stack>
    </Box>
  );
}

