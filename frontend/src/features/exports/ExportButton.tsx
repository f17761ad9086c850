/**
 * "Export…": a signed, offline-verifiable bundle of the given entities. The job keeps running
 * when the dialog is closed; the user is told when it is ready.
 */
import { useEffect, useId, useRef, useState } from "react";
import { Box, Button, Tooltip } from "@mui/material";
import FileDownloadOutlinedIcon from "@mui/icons-material/FileDownloadOutlined";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { ExportDialog } from "./ExportDialog";
import { useExportJob } from "./useExportJob";

export function ExportButton({ ids }: { ids: string[] }) {
  const app = useApp();
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const job = useExportJob();
  const reasonId = useId();
  const empty = ids.length === 0;

  // Finished while the dialog was closed: say so, with a way back to the download.
  const wasOpen = useRef(open);
  wasOpen.current = open;
  const phase = job.state.phase;
  const notify = app.notify;
  useEffect(() => {
    if (wasOpen.current) return;
    if (phase === "succeeded")
      notify({ severity: "success", message: t("exports.readyNotice"), action: { label: t("exports.show"), run: () => setOpen(true) } });
    if (phase === "failed") notify({ severity: "error", message: t("exports.failedNotice"), action: { label: t("exports.show"), run: () => setOpen(true) } });
  }, [phase, notify, t]);

  return (
    <>
      <Tooltip title={empty ? t("exports.nothingSelected") : ""}>
        {/* A disabled button gets no pointer events; the wrapper keeps the tooltip working. */}
        <Box component="span" sx={{ display: "inline-flex" }}>
          <Button
            variant="outlined"
            size="small"
            startIcon={<FileDownloadOutlinedIcon />}
            onClick={() => setOpen(true)}
            disabled={empty}
            aria-describedby={empty ? reasonId : undefined}
            data-testid="export-open"
          >
            {t("exports.open")}
          </Button>
        </Box>
      </Tooltip>
      {empty && (
        <Box component="span" id={reasonId} hidden>
          {t("exports.nothingSelected")}
        </Box>
      )}
      {open && <ExportDialog ids={ids} job={job} onClose={() => setOpen(false)} />}
    </>
  );
}
