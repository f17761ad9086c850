/** The dialogs of saved searches: name a search to save it, confirm a deletion. */
import { useEffect, useState, type FormEvent } from "react";
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from "@mui/material";
import { ApiError } from "../../api/client";
import { useI18n } from "../../i18n";

export function SaveSearchDialog({
  open,
  existingNames,
  initialName,
  onSave,
  onClose,
}: {
  open: boolean;
  existingNames: readonly string[];
  initialName: string;
  onSave: (name: string) => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(initialName);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (open) {
      setName(initialName);
      setError(null);
    }
  }, [open, initialName]);
  const trimmed = name.trim();
  const replaces = existingNames.some((existing) => existing === trimmed);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!trimmed || busy) return;
    setBusy(true);
    onSave(trimmed)
      .then(onClose)
      .catch((reason: unknown) => setError(reason instanceof ApiError ? reason : new ApiError(String(reason), "error")))
      .finally(() => setBusy(false));
  };
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="save-search-title" fullWidth maxWidth="xs">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="save-search-title">{t("search.saved.saveTitle")}</DialogTitle>
        <DialogContent>
          <TextField
            autoFocus
            fullWidth
            margin="dense"
            label={t("search.saved.name")}
            value={name}
            required
            onChange={(event) => setName(event.target.value)}
            helperText={replaces ? t("search.saved.replaces") : t("search.saved.nameHelp")}
            slotProps={{ htmlInput: { maxLength: 200, "data-testid": "saved-search-name" } }}
          />
          {error ? (
            <Alert severity="error" sx={{ mt: 1 }}>
              {error.message}
              {error.hint ? ` ${error.hint}` : ""}
            </Alert>
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="contained" disabled={!trimmed || busy} data-testid="saved-search-confirm">
            {replaces ? t("search.saved.replace") : t("common.save")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

export function ConfirmDeleteDialog({ name, onConfirm, onClose }: { name: string | null; onConfirm: () => void; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog
      open={name !== null}
      onClose={onClose}
      aria-labelledby="delete-search-title"
      aria-describedby="delete-search-text"
    >
      <DialogTitle id="delete-search-title">{t("search.saved.deleteTitle")}</DialogTitle>
      <DialogContent>
        <DialogContentText id="delete-search-text">{t("search.saved.deleteText", { name: name ?? "" })}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} autoFocus>
          {t("common.cancel")}
        </Button>
        <Button color="error" variant="contained" onClick={onConfirm} data-testid="saved-search-delete-confirm">
          {t("common.delete")}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
