/** What to do with the selected hits (or, with none selected, with the page shown). */
import { Box, Button, Typography } from "@mui/material";
import HubIcon from "@mui/icons-material/Hub";
import AddCircleOutlineIcon from "@mui/icons-material/AddCircleOutlineOutlined";
import TableChartIcon from "@mui/icons-material/TableChart";
import { useI18n } from "../../i18n";
import { ExportButton } from "../exports/ExportButton";

interface Props {
  ids: string[];
  /** Whether `ids` is the selection (true) or the page shown (false). */
  fromSelection: boolean;
  selectedCount: number;
  onOpen: () => void;
  onAdd: () => void;
  onTable: () => void;
  onClearSelection: () => void;
}

export function SelectionActions({ ids, fromSelection, selectedCount, onOpen, onAdd, onTable, onClearSelection }: Props) {
  const { t } = useI18n();
  const none = ids.length === 0;
  return (
    <Box
      role="toolbar"
      aria-label={t("search.actions")}
      sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center" }}
    >
      <Typography variant="body2" color="text.secondary" sx={{ mr: 1 }} data-testid="search-selection-count">
        {fromSelection
          ? t("search.actOnSelection", { count: ids.length })
          : t(ids.length === 1 ? "search.actOnPageOne" : "search.actOnPage", { count: ids.length })}
      </Typography>
      <Button size="small" variant="outlined" startIcon={<HubIcon aria-hidden />} onClick={onOpen} disabled={none} data-testid="search-open-graph">
        {t("search.openGraph")}
      </Button>
      <Button size="small" variant="outlined" startIcon={<AddCircleOutlineIcon aria-hidden />} onClick={onAdd} disabled={none} data-testid="search-add-graph">
        {t("search.addGraph")}
      </Button>
      <Button size="small" variant="outlined" startIcon={<TableChartIcon aria-hidden />} onClick={onTable} disabled={none} data-testid="search-show-table">
        {t("search.showTable")}
      </Button>
      <ExportButton ids={ids} />
      {selectedCount > 0 ? (
        <Button size="small" onClick={onClearSelection} data-testid="search-clear-selection">
          {t("search.clearSelection", { count: selectedCount })}
        </Button>
      ) : null}
    </Box>
  );
}
