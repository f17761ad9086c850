/** The entity at a glance: caption, type, classification, compartments, when observed. */
import { Box, Chip, Stack, Typography } from "@mui/material";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { ClassificationChip, MaskedValue } from "./Markers";
import { compartmentsOf, highestLabel, type EntityData } from "./model";
import { captionHidden } from "./privacy";

const term = { fontSize: "0.75rem", color: "text.secondary", fontWeight: 600, m: 0 } as const;
const detail = { m: 0, mb: 0.75 } as const;

export function EntityHeader({ entity, headingId }: { entity: EntityData; headingId: string }) {
  const app = useApp();
  const { t, dateTime } = useI18n();
  const highest = highestLabel(entity.labels);
  const compartments = compartmentsOf(entity.labels);
  const masked = captionHidden(app, entity);
  const typeLabel = app.ontology?.label(entity.schema) ?? entity.schema;
  return (
    <Box>
      <Typography variant="h5" component="h2" id={headingId} sx={{ fontWeight: 700, overflowWrap: "anywhere", mb: 1 }}>
        {masked ? <MaskedValue /> : entity.caption}
      </Typography>
      <Box component="dl" sx={{ m: 0, display: "grid", gridTemplateColumns: "auto 1fr", columnGap: 1.5, alignItems: "baseline" }}>
        <Box component="dt" sx={term}>
          {t("inspector.type")}
        </Box>
        <Box component="dd" sx={detail}>
          {typeLabel}
          {typeLabel !== entity.schema ? (
            <Box component="code" sx={{ fontSize: "0.75rem", color: "text.secondary", ml: 0.75 }}>
              {entity.schema}
            </Box>
          ) : null}
        </Box>
        <Box component="dt" sx={term}>
          {t("inspector.classification")}
        </Box>
        <Box component="dd" sx={detail}>
          {highest ? (
            <ClassificationChip level={highest.classification} name={highest.classificationName} title={t("inspector.classificationHint")} />
          ) : (
            t("common.none")
          )}
        </Box>
        <Box component="dt" sx={term}>
          {t("inspector.compartments")}
        </Box>
        <Box component="dd" sx={detail}>
          {compartments.length ? (
            <Stack direction="row" sx={{ flexWrap: "wrap", gap: 0.5 }}>
              {compartments.map((name) => (
                <Chip key={name} size="small" variant="outlined" label={name} sx={{ height: 22 }} />
              ))}
            </Stack>
          ) : (
            t("common.none")
          )}
        </Box>
        <Box component="dt" sx={term}>
          {t("inspector.observed")}
        </Box>
        <Box component="dd" sx={detail}>
          {t("inspector.observedRange", { first: dateTime(entity.firstObserved), last: dateTime(entity.lastObserved) })}
        </Box>
      </Box>
    </Box>
  );
}
