/** One table cell on screen: a value, a withheld value (null, marker, reason), a masked one, or nothing. */
import { Box, Chip } from "@mui/material";
import { useI18n } from "../../i18n";
import { MASK } from "../search/display";
import type { Cell } from "./rows";

const marker = { ml: 0.75, height: 20, fontSize: "0.75rem" } as const;

export function CellView({ cell }: { cell: Cell | undefined }) {
  const { t } = useI18n();
  switch (cell?.kind) {
    case "value":
      return <>{cell.text}</>;
    case "withheld":
      return (
        <Box component="span" data-testid="withheld-cell">
          <Box component="code" sx={{ fontFamily: "monospace", color: "text.secondary" }}>
            null
          </Box>
          <Chip size="small" variant="outlined" color="warning" label={t("common.withheld")} sx={marker} />
          <Box component="span" sx={{ display: "block", fontSize: "0.75rem", color: "text.secondary" }}>
            {cell.reason}
          </Box>
        </Box>
      );
    case "masked":
      return (
        <Box component="span" data-testid="masked-cell">
          {MASK}
          <Chip size="small" variant="outlined" label={t("common.masked")} sx={marker} />
        </Box>
      );
    default:
      return null;
  }
}
