/** The active filters as chips; activating one (click, Enter, Delete) removes it. */
import { Box, Button, Chip } from "@mui/material";
import { useI18n } from "../../i18n";
import { chipKey, type Chip as FilterChip } from "./spec";

interface Props {
  chips: FilterChip[];
  describe: (chip: FilterChip) => string;
  onRemove: (chip: FilterChip) => void;
  onClear: () => void;
}

export function FilterChips({ chips, describe, onRemove, onClear }: Props) {
  const { t } = useI18n();
  if (!chips.length) return null;
  return (
    <Box
      component="section"
      aria-label={t("search.activeFilters")}
      data-testid="search-chips"
      sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center", mt: 1 }}
    >
      {chips.map((chip) => {
        const text = describe(chip);
        return (
          <Chip
            key={chipKey(chip)}
            label={text}
            size="small"
            variant="outlined"
            color="primary"
            onClick={() => onRemove(chip)}
            onDelete={() => onRemove(chip)}
            aria-label={t("search.removeFilter", { filter: text })}
            data-testid="search-chip"
          />
        );
      })}
      <Button size="small" onClick={onClear} data-testid="search-clear-filters">
        {t("search.clearFilters")}
      </Button>
    </Box>
  );
}
