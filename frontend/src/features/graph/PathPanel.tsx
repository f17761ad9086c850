/**
 * Paths between the two selected nodes: the hop limit, the paths found (the shortest is
 * highlighted on the canvas) and the chosen path's hops in words.
 */
import { Box, Button, MenuItem, Stack, TextField, Typography } from "@mui/material";
import { useI18n } from "../../i18n";
import type { GraphModel } from "./model";
import type { PathsState } from "./store";
import { MASK } from "./style";
import { pluralKey } from "./plural";

export const MAX_HOPS = [1, 2, 3, 4, 5, 6] as const;

interface Props {
  paths: PathsState | null;
  model: GraphModel;
  maxHops: number;
  onMaxHops: (hops: number) => void;
  onChoose: (index: number) => void;
  onClear: () => void;
  typeLabel: (schema: string) => string;
  masked: (schema: string) => boolean;
}

export interface Hop {
  from: string;
  edge: string;
  to: string;
  forward: boolean;
}

/** The hops of a path in words: each step's ends and the relationship type, with its direction. */
export function describeHops(
  nodeIds: readonly string[],
  edgeIds: readonly string[],
  model: GraphModel,
  caption: (id: string) => string,
  typeLabel: (schema: string) => string,
): Hop[] {
  const hops: Hop[] = [];
  for (let i = 0; i < edgeIds.length; i += 1) {
    const from = nodeIds[i] ?? "";
    const to = nodeIds[i + 1] ?? "";
    const edge = model.edges.get(edgeIds[i] ?? "");
    hops.push({ from: caption(from), to: caption(to), edge: edge ? typeLabel(edge.schema) : "?", forward: !edge || edge.source === from });
  }
  return hops;
}

export function PathPanel({ paths, model, maxHops, onMaxHops, onChoose, onClear, typeLabel, masked }: Props) {
  const { t } = useI18n();
  const caption = (id: string) => {
    const node = model.nodes.get(id);
    if (!node) return t("graph.path.hiddenNode");
    return masked(node.schema) ? MASK : node.caption;
  };
  const chosen = paths?.paths[paths.chosen];
  const hops = chosen ? describeHops(chosen.nodeIds, chosen.edgeIds, model, caption, typeLabel) : [];

  return (
    <Box component="section" aria-labelledby="graph-path-heading" data-testid="graph-path-panel">
      <Typography id="graph-path-heading" component="h3" variant="subtitle2" sx={{ fontWeight: 700 }}>
        {t("graph.path.title")}
      </Typography>
      <Stack direction="row" spacing={1} sx={{ alignItems: "center", my: 1 }}>
        <TextField
          select
          size="small"
          label={t("graph.path.maxHops")}
          value={maxHops}
          onChange={(event) => onMaxHops(Number(event.target.value))}
          sx={{ minWidth: 130 }}
          slotProps={{ select: { SelectDisplayProps: { "data-testid": "graph-path-hops" } as object } }}
        >
          {MAX_HOPS.map((hops) => (
            <MenuItem key={hops} value={hops}>
              {hops}
            </MenuItem>
          ))}
        </TextField>
        {paths && (
          <Button size="small" onClick={onClear}>
            {t("graph.path.clear")}
          </Button>
        )}
      </Stack>
      {!paths && (
        <Typography variant="body2" color="text.secondary">
          {t("graph.path.hint")}
        </Typography>
      )}
      {paths && paths.paths.length === 0 && (
        <Typography variant="body2" data-testid="graph-path-none">
          {t(pluralKey("graph.path.none", paths.maxHops), { hops: paths.maxHops })}
        </Typography>
      )}
      {paths && paths.paths.length > 1 && (
        <Stack direction="row" spacing={0.5} sx={{ flexWrap: "wrap", mb: 1 }} role="group" aria-label={t("graph.path.choose")}>
          {paths.paths.map((path, index) => (
            <Button
              key={path.edgeIds.join("/") || index}
              size="small"
              variant={index === paths.chosen ? "contained" : "outlined"}
              aria-pressed={index === paths.chosen}
              onClick={() => onChoose(index)}
            >
              {t("graph.path.option", { n: index + 1, hops: path.hops })}
            </Button>
          ))}
        </Stack>
      )}
      {chosen && (
        <>
          <Typography variant="body2" sx={{ fontWeight: 700 }}>
            {t(pluralKey("graph.path.summary", chosen.hops), { hops: chosen.hops })}
          </Typography>
          <Box component="ol" data-testid="graph-path-hops-list" sx={{ m: 0, pl: 3 }}>
            {hops.map((hop, index) => (
              <li key={index}>
                <Typography variant="body2">
                  {t(hop.forward ? "graph.path.hopForward" : "graph.path.hopBackward", { from: hop.from, edge: hop.edge, to: hop.to })}
                </Typography>
              </li>
            ))}
          </Box>
        </>
      )}
    </Box>
  );
}
