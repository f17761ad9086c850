/** Page size and previous/next for cursor-paged results. */
import { Box, Button, TextField, Typography } from "@mui/material";
import NavigateBeforeIcon from "@mui/icons-material/NavigateBefore";
import NavigateNextIcon from "@mui/icons-material/NavigateNext";
import { useI18n } from "../../i18n";

export const PAGE_SIZES = [10, 20, 50] as const;

interface Props {
  page: number;
  pageSize: number;
  hasPrevious: boolean;
  hasNext: boolean;
  busy: boolean;
  onPageSize: (size: number) => void;
  onPrevious: () => void;
  onNext: () => void;
}

export function ResultsPager({ page, pageSize, hasPrevious, hasNext, busy, onPageSize, onPrevious, onNext }: Props) {
  const { t, number } = useI18n();
  return (
    <Box component="nav" aria-label={t("search.pager")} sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap", mt: 1 }}>
      <TextField
        select
        size="small"
        label={t("search.pageSize")}
        value={pageSize}
        onChange={(event) => onPageSize(Number(event.target.value))}
        sx={{ width: 130 }}
        slotProps={{ select: { native: true }, htmlInput: { "data-testid": "search-page-size" } }}
      >
        {PAGE_SIZES.map((size) => (
          <option key={size} value={size}>
            {number(size)}
          </option>
        ))}
      </TextField>
      <Box sx={{ flex: 1 }} />
      <Typography variant="body2" data-testid="search-page">
        {t("search.page", { page })}
      </Typography>
      <Button size="small" startIcon={<NavigateBeforeIcon aria-hidden />} onClick={onPrevious} disabled={!hasPrevious || busy} data-testid="search-previous">
        {t("search.previous")}
      </Button>
      <Button size="small" endIcon={<NavigateNextIcon aria-hidden />} onClick={onNext} disabled={!hasNext || busy} data-testid="search-next">
        {t("search.next")}
      </Button>
    </Box>
  );
}
