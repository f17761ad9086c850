/**
 * Relationship types on the canvas with their counts; unticking a type hides its edges
 * (they stay in the model and in saved investigations, they are just not drawn).
 */
import { memo } from "react";
import { Box, Checkbox, FormControlLabel, Typography } from "@mui/material";
import { useI18n } from "../../i18n";
import type { GraphModel } from "./model";

interface Props {
  model: GraphModel;
  hidden: ReadonlySet<string>;
  typeLabel: (schema: string) => string;
  onToggle: (type: string, hidden: boolean) => void;
}

/** Edge types on the canvas and how many edges each has, by label. */
export function edgeTypeCounts(model: GraphModel, typeLabel: (schema: string) => string): { type: string; label: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const edge of model.edges.values()) counts.set(edge.schema, (counts.get(edge.schema) ?? 0) + 1);
  return [...counts]
    .map(([type, count]) => ({ type, label: typeLabel(type), count }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export const EdgeTypeFilter = memo(function EdgeTypeFilter({ model, hidden, typeLabel, onToggle }: Props) {
  const { t, number } = useI18n();
  const types = edgeTypeCounts(model, typeLabel);
  if (!types.length) return null;
  return (
    <Box component="section" aria-labelledby="graph-edge-types-heading" data-testid="graph-edge-types">
      <Typography id="graph-edge-types-heading" component="h3" variant="subtitle2" sx={{ fontWeight: 700 }}>
        {t("graph.edgeTypes.title")}
      </Typography>
      <Box sx={{ display: "flex", flexDirection: "column" }}>
        {types.map(({ type, label, count }) => (
          <FormControlLabel
            key={type}
            sx={{ my: -0.5 }}
            control={
              <Checkbox size="small" checked={!hidden.has(type)} onChange={(event) => onToggle(type, !event.target.checked)} slotProps={{ input: { "data-edge-type": type } as object }} />
            }
            label={<Typography variant="body2">{t("graph.edgeTypes.item", { label, count: number(count) })}</Typography>}
          />
        ))}
      </Box>
    </Box>
  );
});
