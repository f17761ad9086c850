/** The viewer's saved searches: activating one runs it; each can be deleted after a confirmation. */
import { useState } from "react";
import { Box, Button, IconButton, Tooltip, Typography } from "@mui/material";
import DeleteOutlinedIcon from "@mui/icons-material/DeleteOutlined";
import { useI18n } from "../../i18n";
import type { SavedSearch, SavedSearches } from "./useSavedSearches";
import { ConfirmDeleteDialog } from "./SavedSearchDialogs";

interface Props {
  saved: SavedSearches;
  onRun: (item: SavedSearch) => void;
  onDeleted: (name: string) => void;
  onError: (message: string) => void;
}

export function SavedSearchList({ saved, onRun, onDeleted, onError }: Props) {
  const { t, dateTime } = useI18n();
  const [doomed, setDoomed] = useState<SavedSearch | null>(null);
  const confirm = () => {
    const item = doomed;
    setDoomed(null);
    if (!item) return;
    saved
      .remove(item.id)
      .then(() => onDeleted(item.name))
      .catch((reason: unknown) => onError(reason instanceof Error ? reason.message : String(reason)));
  };
  return (
    <Box component="section" aria-labelledby="saved-searches-heading" sx={{ mb: 2 }}>
      <Typography id="saved-searches-heading" variant="subtitle1" component="h3" sx={{ fontWeight: 700 }}>
        {t("search.saved.title")}
      </Typography>
      {saved.error ? (
        <Typography variant="body2" color="error" role="status">
          {t("search.saved.loadFailed", { message: saved.error.message })}{" "}
          <Button size="small" onClick={saved.reload}>
            {t("common.retry")}
          </Button>
        </Typography>
      ) : saved.loading && !saved.items.length ? (
        <Typography variant="body2" color="text.secondary">
          {t("common.loading")}
        </Typography>
      ) : null}
      <Box component="ul" data-testid="saved-search-list" aria-labelledby="saved-searches-heading" sx={{ listStyle: "none", m: 0, p: 0 }}>
        {saved.items.map((item) => (
          <Box component="li" key={item.id} sx={{ display: "flex", alignItems: "center", gap: 0.5 }}>
            <Tooltip describeChild title={t("search.saved.updated", { when: dateTime(item.updatedAt) })}>
              <Button
                size="small"
                onClick={() => onRun(item)}
                data-testid="saved-search-item"
                sx={{ flex: 1, minWidth: 0, justifyContent: "flex-start", textAlign: "left", textTransform: "none", overflowWrap: "anywhere" }}
              >
                {item.name}
              </Button>
            </Tooltip>
            <IconButton
              size="small"
              aria-label={t("search.saved.delete", { name: item.name })}
              title={t("search.saved.delete", { name: item.name })}
              onClick={() => setDoomed(item)}
              data-testid="saved-search-delete"
            >
              <DeleteOutlinedIcon fontSize="small" aria-hidden />
            </IconButton>
          </Box>
        ))}
      </Box>
      {!saved.loading && !saved.error && !saved.items.length ? (
        <Typography variant="body2" color="text.secondary">
          {t("search.saved.empty")}
        </Typography>
      ) : null}
      <ConfirmDeleteDialog name={doomed?.name ?? null} onConfirm={confirm} onClose={() => setDoomed(null)} />
    </Box>
  );
}
