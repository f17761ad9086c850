/**
 * Saving the canvas as a named investigation on the server, and reopening or deleting one.
 */
import { useEffect, useState, type FormEvent } from "react";
import {
  Alert,
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useI18n } from "../../i18n";
import { deleteInvestigation, listInvestigations, type InvestigationSummary } from "./api";

interface SaveProps {
  open: boolean;
  current: { id: string; name: string } | null;
  onClose: () => void;
  onSave: (name: string, asNew: boolean) => Promise<void>;
}

export function SaveDialog({ open, current, onClose, onSave }: SaveProps) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setName(current?.name ?? "");
      setError(null);
    }
  }, [open, current]);

  const save = async (asNew: boolean) => {
    const trimmed = name.trim();
    if (!trimmed) {
      setError(t("graph.save.nameRequired"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(trimmed, asNew);
      onClose();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(false);
  };

  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="graph-save-title" fullWidth maxWidth="xs">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="graph-save-title">{t(current ? "graph.save.titleUpdate" : "graph.save.title")}</DialogTitle>
        <DialogContent>
          <Typography variant="body2" sx={{ mb: 2 }}>
            {t("graph.save.explain")}
          </Typography>
          <TextField
            autoFocus
            fullWidth
            required
            label={t("graph.save.name")}
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={Boolean(error)}
            slotProps={{ htmlInput: { maxLength: 200, "data-testid": "graph-save-name" } }}
          />
          {error && (
            <Alert severity="error" sx={{ mt: 2 }} role="alert">
              {error}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          {current && (
            <Button onClick={() => void save(true)} disabled={busy} data-testid="graph-save-as-new">
              {t("graph.save.asNew")}
            </Button>
          )}
          <Button type="submit" variant="contained" disabled={busy} data-testid="graph-save-submit">
            {t(current ? "graph.save.update" : "common.save")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

interface OpenProps {
  open: boolean;
  currentId: string | null;
  /** The canvas has changes that opening would discard. */
  unsaved: boolean;
  onClose: () => void;
  onOpen: (id: string, name: string) => void;
}

export function OpenDialog({ open, currentId, unsaved, onClose, onOpen }: OpenProps) {
  const { t, number, dateTime } = useI18n();
  const [items, setItems] = useState<InvestigationSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setItems(null);
    setError(null);
    setConfirming(null);
    listInvestigations()
      .then(setItems)
      .catch((caught: unknown) => setError(caught instanceof Error ? caught.message : String(caught)));
  }, [open]);

  const remove = async (id: string) => {
    try {
      await deleteInvestigation(id);
      setItems((current) => current?.filter((item) => item.id !== id) ?? null);
      setConfirming(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  // Opening can take a while (thousands of entities are fetched again): the view shows progress.
  const openOne = (item: InvestigationSummary) => {
    onClose();
    onOpen(item.id, item.name);
  };

  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="graph-open-title" fullWidth maxWidth="md">
      <DialogTitle id="graph-open-title">{t("graph.open.title")}</DialogTitle>
      <DialogContent>
        {unsaved && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            {t("graph.open.unsavedWarning")}
          </Alert>
        )}
        {error && (
          <Alert severity="error" role="alert" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {items === null && !error && (
          <Typography role="status" sx={{ display: "flex", gap: 1, alignItems: "center" }}>
            <CircularProgress size={18} aria-hidden /> {t("common.loading")}
          </Typography>
        )}
        {items?.length === 0 && <Typography>{t("graph.open.none")}</Typography>}
        {items && items.length > 0 && (
          <Table size="small" data-testid="graph-investigation-list">
            <caption style={{ captionSide: "top", textAlign: "left", padding: 0 }}>{t("graph.open.caption")}</caption>
            <TableHead>
              <TableRow>
                <TableCell scope="col">{t("graph.open.name")}</TableCell>
                <TableCell scope="col" align="right">
                  {t("graph.open.nodes")}
                </TableCell>
                <TableCell scope="col">{t("graph.open.updated")}</TableCell>
                <TableCell scope="col">{t("graph.open.actions")}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((item) => (
                <TableRow key={item.id} data-testid="graph-investigation" data-investigation-id={item.id}>
                  <TableCell component="th" scope="row">
                    {item.name}
                    {item.id === currentId ? ` (${t("graph.open.current")})` : ""}
                  </TableCell>
                  <TableCell align="right">{number(item.nodeCount)}</TableCell>
                  <TableCell>{dateTime(item.updatedAt)}</TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    {confirming === item.id ? (
                      <>
                        <Button size="small" color="error" variant="contained" onClick={() => void remove(item.id)} aria-label={t("graph.open.confirmDelete", { name: item.name })}>
                          {t("graph.open.reallyDelete")}
                        </Button>
                        <Button size="small" onClick={() => setConfirming(null)}>
                          {t("common.cancel")}
                        </Button>
                      </>
                    ) : (
                      <>
                        <Button size="small" variant="outlined" onClick={() => openOne(item)} aria-label={t("graph.open.openOne", { name: item.name })} data-testid="graph-investigation-open">
                          {t("common.open")}
                        </Button>
                        <Button size="small" color="error" onClick={() => setConfirming(item.id)} aria-label={t("graph.open.deleteOne", { name: item.name })} data-testid="graph-investigation-delete">
                          {t("common.delete")}
                        </Button>
                      </>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t("common.close")}</Button>
      </DialogActions>
    </Dialog>
  );
}
