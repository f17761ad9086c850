/**
 * Says, politely, that the graph changed while results are shown. Results are never
 * refreshed on their own: rows do not move under the analyst's cursor.
 */
import { Alert, Box, Button } from "@mui/material";
import { useI18n } from "../../i18n";

export function ChangeNotice({ stale, onRefresh }: { stale: boolean; onRefresh: () => void }) {
  const { t } = useI18n();
  // The live region stays mounted so that its content appearing is announced.
  return (
    <Box role="status" aria-live="polite" sx={{ my: stale ? 1 : 0 }}>
      {stale ? (
        <Alert
          severity="info"
          variant="outlined"
          role="none"
          action={
            <Button color="inherit" size="small" onClick={onRefresh} data-testid="search-refresh">
              {t("search.refresh")}
            </Button>
          }
        >
          {t("search.changed")}
        </Alert>
      ) : null}
    </Box>
  );
}
