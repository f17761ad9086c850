/** Small labelled marks: a classification (its name on its colour) and withheld/masked values. */
import LockIcon from "@mui/icons-material/Lock";
import VisibilityOffIcon from "@mui/icons-material/VisibilityOff";
import { Box, Chip } from "@mui/material";
import { useI18n } from "../../i18n";
import { classificationColours } from "../../theme";
import { MASK } from "../privacy/mask";

export function ClassificationChip({ level, name, title }: { level: number; name: string; title?: string }) {
  const colours = classificationColours(level);
  return (
    <Chip
      size="small"
      label={name}
      title={title}
      sx={{ bgcolor: colours.background, color: colours.color, fontWeight: 700, letterSpacing: 0.3, height: 22 }}
    />
  );
}

/** A withheld property's value: `null`, marked, with the policy's reason beside it. */
export function WithheldValue({ reason }: { reason: string }) {
  const { t } = useI18n();
  return (
    <Box component="span" sx={{ display: "inline-flex", flexWrap: "wrap", alignItems: "center", gap: 0.75 }}>
      <Box component="code" sx={{ color: "text.secondary" }}>
        null
      </Box>
      <Chip size="small" variant="outlined" icon={<LockIcon />} label={t("common.withheld")} sx={{ height: 22 }} />
      <Box component="span" sx={{ color: "text.secondary", fontSize: "0.8rem" }}>
        {t("inspector.withheldReason", { reason })}
      </Box>
    </Box>
  );
}

/** A value safe mode hides. */
export function MaskedValue() {
  const { t } = useI18n();
  return (
    <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 0.75 }}>
      <span aria-hidden="true">{MASK}</span>
      <Chip size="small" variant="outlined" icon={<VisibilityOffIcon />} label={t("common.masked")} sx={{ height: 22 }} />
    </Box>
  );
}
