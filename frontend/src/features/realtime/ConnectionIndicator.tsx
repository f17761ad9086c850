/** A tiny "Live" / "Reconnecting…" marker: icon shape and text, never colour alone. */
import { Box } from "@mui/material";
import { useI18n } from "../../i18n";
import { useConnectionStatus } from "./status";

const SYMBOL = { live: "●", connecting: "◌", reconnecting: "◌", off: "○" } as const;

export function ConnectionIndicator() {
  const status = useConnectionStatus();
  const { t } = useI18n();
  return (
    <Box
      component="span"
      role="status"
      data-testid="realtime-connection"
      data-status={status}
      title={t(`realtime.status.${status}Help`)}
      sx={{ display: "inline-flex", alignItems: "center", gap: 0.5, fontSize: 12, whiteSpace: "nowrap" }}
    >
      <span aria-hidden="true">{SYMBOL[status]}</span>
      {t(`realtime.status.${status}`)}
    </Box>
  );
}
