/** A classification as text on its banner colour: the text carries the meaning, not the colour. */
import { Chip } from "@mui/material";
import { classificationColours } from "../../theme";
import { useI18n } from "../../i18n";
import type { ClassificationMark } from "../../state/types";
import { markingText } from "../privacy/classification";

export function ClassificationChip({ mark }: { mark: ClassificationMark }) {
  const { t } = useI18n();
  const colours = classificationColours(mark.level);
  return (
    <Chip
      size="small"
      label={markingText(mark) ?? t("search.level", { level: mark.level })}
      sx={{ bgcolor: colours.background, color: colours.color, fontWeight: 600, borderRadius: 1 }}
    />
  );
}
