/**
 * Who the viewer is to the policy, in the app bar: clearance, compartments, the purpose and
 * authority every request is sent under, and safe mode for screen sharing.
 */
import { useEffect, useId, useRef, useState } from "react";
import { Box, Chip, FormControlLabel, IconButton, Stack, Switch, TextField, Tooltip } from "@mui/material";
import ShieldOutlinedIcon from "@mui/icons-material/ShieldOutlined";
import FolderSpecialOutlinedIcon from "@mui/icons-material/FolderSpecialOutlined";
import GavelIcon from "@mui/icons-material/Gavel";
import VisibilityOffIcon from "@mui/icons-material/VisibilityOff";
import WarningAmberIcon from "@mui/icons-material/WarningAmber";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { authorityLabel, coversPurpose, useHeldAuthorities } from "./authorities";
import { markingText } from "./classification";
import { RequestAuthorityDialog } from "./RequestAuthorityDialog";
import { visuallyHidden } from "../../components/visuallyHidden";

const NONE = "";

/** Resets a purpose or authority the server refuses (403), which would otherwise fail every request. */
function useRefusalRecovery(code: string | undefined) {
  const app = useApp();
  const { t } = useI18n();
  const handled = useRef<string | null>(null);
  useEffect(() => {
    if (!code) handled.current = null;
    if (!code || handled.current === code) return;
    handled.current = code;
    if (code === "purpose_not_held" && app.purpose) {
      app.notify({ severity: "warning", message: t("privacy.purposeRefused", { purpose: app.purpose }) });
      app.setPurpose(null);
    } else if (code === "authority_unknown" && app.authority) {
      app.notify({ severity: "warning", message: t("privacy.authorityRefused", { authority: app.authority }) });
      app.setAuthority(null);
    }
  }, [code, app, t]);
}

export function PrivacyToolbar() {
  const app = useApp();
  const { t } = useI18n();
  const viewer = app.viewer;
  const { authorities, error, loading } = useHeldAuthorities();
  const [requesting, setRequesting] = useState(false);
  const warningId = useId();
  useRefusalRecovery(error?.code);

  const purpose = app.purpose ?? NONE;
  const selected = authorities.find((authority) => authority.id === app.authority);
  // Without a purpose header the server uses the principal's first purpose.
  const effectivePurpose = app.purpose ?? viewer?.purposes[0] ?? null;
  const mismatch = selected !== undefined && !coversPurpose(selected, effectivePurpose);
  const clearance = viewer ? (markingText({ level: viewer.clearance, name: viewer.clearanceName }) ?? t("privacy.level", { level: viewer.clearance })) : "…";
  const defaultPurpose = viewer?.purposes[0] ? t("privacy.purposeDefault", { purpose: viewer.purposes[0] }) : t("privacy.purposeNone");
  // The selects are narrow; the full choice shows on hover.
  const purposeText = app.purpose ?? defaultPurpose;
  const compartments = viewer?.compartments.length ? viewer.compartments.join(" · ") : t("privacy.noCompartments");

  return (
    <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }} role="group" aria-label={t("privacy.label")}>
      {/* Two short lines instead of two chips: the app bar has little room. */}
      <Box sx={{ display: "flex", flexDirection: "column", lineHeight: 1.25, fontSize: 12, whiteSpace: "nowrap" }}>
        <Tooltip title={t("privacy.clearanceHelp")} describeChild>
          <Box component="span" data-testid="privacy-clearance" sx={{ display: "inline-flex", alignItems: "center", gap: 0.5, fontWeight: 700 }}>
            <ShieldOutlinedIcon sx={{ fontSize: 14 }} aria-hidden="true" />
            <Box component="span" sx={visuallyHidden}>
              {t("privacy.clearanceLabel")}{" "}
            </Box>
            {clearance}
          </Box>
        </Tooltip>
        <Tooltip title={t("privacy.compartmentsHelp")} describeChild>
          <Box component="span" data-testid="privacy-compartments" sx={{ display: "inline-flex", alignItems: "center", gap: 0.5 }}>
            <FolderSpecialOutlinedIcon sx={{ fontSize: 14 }} aria-hidden="true" />
            <Box component="span" sx={visuallyHidden}>
              {t("privacy.compartmentsLabel")}{" "}
            </Box>
            {compartments}
          </Box>
        </Tooltip>
      </Box>
      <TextField
        select
        size="small"
        label={t("privacy.purpose")}
        value={purpose}
        onChange={(event) => app.setPurpose(event.target.value === NONE ? null : event.target.value)}
        slotProps={{ select: { native: true }, inputLabel: { shrink: true }, htmlInput: { "data-testid": "privacy-purpose", title: purposeText } }}
        sx={{ maxWidth: 140, "& .MuiInputBase-root": { bgcolor: "background.paper", fontSize: 13 } }}
      >
        <option value={NONE}>{defaultPurpose}</option>
        {(viewer?.purposes ?? []).map((item) => (
          <option key={item} value={item}>
            {item}
          </option>
        ))}
        {app.purpose && viewer && !viewer.purposes.includes(app.purpose) && <option value={app.purpose}>{app.purpose}</option>}
      </TextField>
      <Box sx={{ display: "flex", alignItems: "center" }}>
        <TextField
          select
          size="small"
          label={t("privacy.authority")}
          value={app.authority ?? NONE}
          onChange={(event) => app.setAuthority(event.target.value === NONE ? null : event.target.value)}
          slotProps={{
            select: { native: true }, inputLabel: { shrink: true },
            htmlInput: { "data-testid": "privacy-authority", title: selected ? authorityLabel(selected) : undefined, "aria-describedby": mismatch ? warningId : undefined },
          }}
          sx={{ maxWidth: 140, "& .MuiInputBase-root": { bgcolor: "background.paper", fontSize: 13 } }}
        >
          <option value={NONE}>{t("privacy.authorityNone")}</option>
          {authorities.map((authority) => (
            <option key={authority.id} value={authority.id}>
              {authorityLabel(authority)}
            </option>
          ))}
          {app.authority && !selected && (
            <option value={app.authority}>{loading ? app.authority : t("privacy.authorityUnavailable", { id: app.authority })}</option>
          )}
        </TextField>
        <Tooltip title={t("privacy.request.open")}>
          <IconButton aria-label={t("privacy.request.open")} onClick={() => setRequesting(true)} data-testid="privacy-request-authority" size="small">
            <GavelIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      </Box>
      {mismatch && selected && (
        <Chip
          id={warningId}
          size="small"
          color="warning"
          variant="outlined"
          icon={<WarningAmberIcon />}
          label={t("privacy.authorityPurposeMismatch", { purposes: selected.purposes.join(", ") })}
        />
      )}
      <FormControlLabel
        control={
          <Switch
            size="small"
            checked={app.safeMode}
            onChange={(event) => app.setSafeMode(event.target.checked)}
            slotProps={{ input: { role: "switch", "data-testid": "privacy-safe-mode", "aria-describedby": `${warningId}-safe` } as object }}
          />
        }
        label={
          <>
            {app.safeMode ? (
              // On: the label itself becomes the always-visible marker (no extra width in the bar).
              <Box
                component="span"
                data-testid="privacy-safe-mode-indicator"
                sx={{ display: "inline-flex", alignItems: "center", gap: 0.5, px: 0.75, py: 0.25, borderRadius: 1, bgcolor: "#111827", color: "#fde047", fontWeight: 700, letterSpacing: "0.06em" }}
              >
                <VisibilityOffIcon sx={{ fontSize: 14 }} aria-hidden="true" />
                {t("privacy.safeModeOn")}
              </Box>
            ) : (
              t("privacy.safeMode")
            )}
            <span id={`${warningId}-safe`} hidden>
              {t("privacy.safeModeHelp")}
            </span>
          </>
        }
        sx={{ mr: 0, "& .MuiFormControlLabel-label": { fontSize: 12, whiteSpace: "nowrap" } }}
      />
      {requesting && <RequestAuthorityDialog open onClose={() => setRequesting(false)} />}
    </Stack>
  );
}

