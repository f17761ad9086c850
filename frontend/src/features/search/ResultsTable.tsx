/**
 * One page of hits. Each row is a tab stop: Space toggles its selection, Enter opens it in
 * the inspector, arrow keys move between rows. The checkbox and caption button inside are
 * for the mouse (and screen-reader browse mode) and are skipped by Tab to keep the tab
 * order one stop per row.
 */
import { visuallyHidden } from "../../components/visuallyHidden";
import { useRef, type KeyboardEvent } from "react";
import { Box, Button, Checkbox, Chip, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Typography } from "@mui/material";
import { useI18n } from "../../i18n";
import type { OntologyIndex } from "../../state/ontology";
import { markingText } from "../privacy/classification";
import { ClassificationChip } from "./ClassificationChip";
import { compartmentsOf, highestMark, shownCaption } from "./display";
import type { Hit } from "./useSearchResults";

interface Props {
  hits: Hit[];
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (ids: string[], select: boolean) => void;
  onInspect: (id: string) => void;
  ontology: OntologyIndex | null;
  safeMode: boolean;
  busy: boolean;
}

export function ResultsTable({ hits, selected, onToggle, onToggleAll, onInspect, ontology, safeMode, busy }: Props) {
  const { t, number } = useI18n();
  const body = useRef<HTMLTableSectionElement>(null);
  const ids = hits.map((hit) => hit.node.id);
  const chosen = ids.filter((id) => selected.has(id)).length;

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, id: string) => {
    if (event.target !== event.currentTarget) return; // keys inside the row's own controls
    if (event.key === " ") {
      event.preventDefault();
      onToggle(id);
    } else if (event.key === "Enter") {
      event.preventDefault();
      onInspect(id);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const rows = [...(body.current?.querySelectorAll<HTMLTableRowElement>("tr[data-entity-id]") ?? [])];
      const at = rows.indexOf(event.currentTarget);
      rows[event.key === "ArrowDown" ? at + 1 : at - 1]?.focus();
    }
  };

  return (
    <TableContainer sx={{ opacity: busy ? 0.6 : 1, transition: "opacity 120ms" }}>
      <Typography id="search-rows-help" sx={visuallyHidden}>
        {t("search.rowsHelp")}
      </Typography>
      <Table size="small" aria-labelledby="search-results-heading" aria-describedby="search-rows-help" aria-busy={busy} data-testid="search-results">
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox">
              <Checkbox
                size="small"
                checked={ids.length > 0 && chosen === ids.length}
                indeterminate={chosen > 0 && chosen < ids.length}
                onChange={(event) => onToggleAll(ids, event.target.checked)}
                slotProps={{ input: { "aria-label": t("search.selectPage") } }}
                disabled={!ids.length}
              />
            </TableCell>
            <TableCell>{t("search.col.caption")}</TableCell>
            <TableCell>{t("search.col.type")}</TableCell>
            <TableCell>{t("search.col.classification")}</TableCell>
            <TableCell>{t("search.col.compartments")}</TableCell>
            <TableCell align="right">{t("search.col.score")}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody ref={body}>
          {hits.map((hit) => {
            const { node } = hit;
            const isSelected = selected.has(node.id);
            const caption = shownCaption(node.caption, node.schema, ontology, safeMode);
            const mark = highestMark(node.labels);
            const compartments = compartmentsOf(node.labels);
            const typeLabel = ontology?.label(node.schema) ?? node.schema;
            return (
              <TableRow
                key={node.id}
                hover
                selected={isSelected}
                tabIndex={0}
                onKeyDown={(event) => onRowKey(event, node.id)}
                data-testid="search-row"
                data-entity-id={node.id}
                aria-label={t(isSelected ? "search.rowSelected" : "search.row", {
                  caption: caption.text,
                  type: typeLabel,
                  classification: mark ? (markingText(mark) ?? t("search.level", { level: mark.level })) : t("common.none"),
                })}
                sx={{ cursor: "default", "&:focus-visible": { outline: "3px solid #f59e0b", outlineOffset: "-3px" } }}
              >
                <TableCell padding="checkbox">
                  <Checkbox
                    size="small"
                    checked={isSelected}
                    onChange={() => onToggle(node.id)}
                    tabIndex={-1}
                    slotProps={{ input: { "aria-label": t("search.selectRow", { caption: caption.text }), tabIndex: -1 } }}
                  />
                </TableCell>
                <TableCell sx={{ minWidth: 160 }}>
                  <Button
                    size="small"
                    tabIndex={-1}
                    onClick={() => onInspect(node.id)}
                    sx={{ textTransform: "none", justifyContent: "flex-start", textAlign: "left", p: 0, minWidth: 0, fontWeight: 600 }}
                    aria-label={t("search.inspect", { caption: caption.text })}
                  >
                    {caption.text}
                  </Button>
                  {caption.masked ? <MaskedMarker /> : null}
                </TableCell>
                <TableCell sx={{ whiteSpace: "nowrap" }}>{typeLabel}</TableCell>
                <TableCell sx={{ whiteSpace: "nowrap" }}>{mark ? <ClassificationChip mark={mark} /> : <NoneText />}</TableCell>
                <TableCell>
                  {compartments.length ? (
                    <Box sx={{ display: "flex", gap: 0.5, flexWrap: "wrap" }}>
                      {compartments.map((name) => (
                        <Chip key={name} size="small" variant="outlined" label={name} />
                      ))}
                    </Box>
                  ) : (
                    <NoneText />
                  )}
                </TableCell>
                <TableCell align="right" sx={{ fontVariantNumeric: "tabular-nums" }}>
                  {hit.score > 0 ? number(Math.round(hit.score * 100) / 100) : "—"}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

export function MaskedMarker() {
  const { t } = useI18n();
  return (
    <Chip size="small" variant="outlined" label={t("common.masked")} sx={{ ml: 1, height: 20, fontSize: "0.75rem" }} data-testid="masked-marker" />
  );
}

function NoneText() {
  const { t } = useI18n();
  return (
    <Typography variant="body2" component="span" color="text.secondary">
      {t("common.none")}
    </Typography>
  );
}

