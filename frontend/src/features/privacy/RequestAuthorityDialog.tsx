/**
 * "Request an authority…": explains who grants bindings and writes a ready-to-send request
 * (with the admin's grant command) that the analyst copies into mail or a ticket.
 */
import { useId, useMemo, useState } from "react";
import {
  Alert,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  FormGroup,
  FormLabel,
  Stack,
  TextField,
} from "@mui/material";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { AUTHORITY_KINDS, GATED_LICENCES, missingFields, parseIds, requestText, type AuthorityRequest } from "./request";

export function RequestAuthorityDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const app = useApp();
  const { t } = useI18n();
  const titleId = useId();
  const viewer = app.viewer;
  const [kind, setKind] = useState<string>("court-order");
  const [issuer, setIssuer] = useState("");
  const [reference, setReference] = useState("");
  const [purpose, setPurpose] = useState(app.purpose ?? viewer?.purposes[0] ?? "");
  const [ids, setIds] = useState(() => app.selection.join("\n"));
  const [licences, setLicences] = useState<string[]>([]);
  const [days, setDays] = useState("30");
  const [justification, setJustification] = useState("");
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");
  const [tried, setTried] = useState(false);

  const request: AuthorityRequest = useMemo(
    () => ({ kind, issuer, reference, purpose, entityIds: parseIds(ids), licences, days: Number(days), justification }),
    [kind, issuer, reference, purpose, ids, licences, days, justification],
  );
  const missing = missingFields(request);
  const text = viewer ? requestText(request, { name: viewer.name, tenant: viewer.tenant }, t) : "";

  async function copy() {
    setTried(true);
    if (missing.length) return;
    try {
      await navigator.clipboard.writeText(text);
      setCopied("done");
    } catch {
      setCopied("failed"); // the text stays selectable below
    }
  }

  function toggleLicence(licence: string, on: boolean) {
    setLicences((current) => (on ? [...current, licence] : current.filter((item) => item !== licence)));
  }

  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={titleId} maxWidth="md" fullWidth data-testid="privacy-request-dialog">
      <DialogTitle id={titleId}>{t("privacy.request.title")}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>{t("privacy.request.explain")}</DialogContentText>
        <Stack spacing={2}>
          <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
            <TextField
              select
              label={t("privacy.request.kind")}
              value={kind}
              onChange={(event) => setKind(event.target.value)}
              slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
              sx={{ minWidth: 180 }}
            >
              {AUTHORITY_KINDS.map((item) => (
                <option key={item} value={item}>
                  {t(`privacy.kind.${item}`)}
                </option>
              ))}
            </TextField>
            <TextField label={t("privacy.request.issuer")} value={issuer} onChange={(event) => setIssuer(event.target.value)} fullWidth />
            <TextField label={t("privacy.request.reference")} value={reference} onChange={(event) => setReference(event.target.value)} fullWidth />
          </Stack>
          <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
            <TextField
              select
              required
              label={t("privacy.request.purpose")}
              value={purpose}
              onChange={(event) => setPurpose(event.target.value)}
              slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
              sx={{ minWidth: 180 }}
            >
              {(viewer?.purposes ?? []).map((item) => (
                <option key={item} value={item}>
                  {item}
                </option>
              ))}
            </TextField>
            <TextField
              label={t("privacy.request.days")}
              type="number"
              value={days}
              onChange={(event) => setDays(event.target.value)}
              error={tried && missing.includes("days")}
              slotProps={{ htmlInput: { min: 1, max: 3650 } }}
              sx={{ width: 160 }}
            />
          </Stack>
          <TextField
            label={t("privacy.request.entities")}
            helperText={t("privacy.request.entitiesHelp", { count: request.entityIds.length })}
            value={ids}
            onChange={(event) => setIds(event.target.value)}
            multiline
            minRows={2}
            maxRows={5}
            slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
          />
          <FormGroup>
            <FormLabel component="legend">{t("privacy.request.licences")}</FormLabel>
            <Stack direction="row" spacing={2}>
              {GATED_LICENCES.map((licence) => (
                <FormControlLabel
                  key={licence}
                  control={<Checkbox checked={licences.includes(licence)} onChange={(event) => toggleLicence(licence, event.target.checked)} />}
                  label={licence}
                />
              ))}
            </Stack>
          </FormGroup>
          <TextField
            label={t("privacy.request.justification")}
            required
            value={justification}
            onChange={(event) => setJustification(event.target.value)}
            multiline
            minRows={3}
            error={tried && missing.includes("justification")}
            helperText={t("privacy.request.justificationHelp")}
          />
          {tried && missing.length > 0 && (
            <Alert severity="warning" role="alert">
              {missing.map((field) => t(`privacy.request.missing.${field}`)).join(" ")}
            </Alert>
          )}
          <TextField
            label={t("privacy.request.preview")}
            value={text}
            multiline
            minRows={6}
            slotProps={{ htmlInput: { readOnly: true, spellCheck: false, style: { fontFamily: "monospace", fontSize: 12 } } }}
            onFocus={(event) => event.target.select()}
            data-testid="privacy-request-text"
          />
          <div role="status" aria-live="polite">
            {copied === "done" && <Alert severity="success">{t("privacy.request.copied")}</Alert>}
            {copied === "failed" && <Alert severity="info">{t("privacy.request.copyFailed")}</Alert>}
          </div>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t("common.close")}</Button>
        <Button variant="contained" onClick={() => void copy()} data-testid="privacy-request-copy">
          {t("privacy.request.copy")}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
