/**
 * The canvas as a list, for keyboard and screen-reader users: every node with caption, type
 * and classification in words; selecting here selects on the canvas. A multi-select listbox
 * (arrows move, Space toggles, Enter inspects); long canvases are narrowed with the filter.
 */
import { memo, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { Box, TextField, Typography } from "@mui/material";
import { useI18n } from "../../i18n";
import type { GraphModel, GraphNode } from "./model";
import { MASK, PIN_MARK } from "./style";
import { visuallyHidden as VISUALLY_HIDDEN } from "../../components/visuallyHidden";

/** A listbox of thousands of options is slow to render and to read; show this many matches. */
export const LIST_LIMIT = 200;

interface Props {
  model: GraphModel;
  selected: readonly string[];
  focused: string | null;
  typeLabel: (schema: string) => string;
  masked: (schema: string) => boolean;
  onSelect: (ids: string[], focus: string) => void;
  onInspect: (id: string) => void;
}

/** Nodes matching the filter (caption or type, any case), by caption. */
export function filterNodes(nodes: Iterable<GraphNode>, query: string, typeLabel: (schema: string) => string, masked: (schema: string) => boolean): GraphNode[] {
  const needle = query.trim().toLocaleLowerCase();
  const out: GraphNode[] = [];
  for (const node of nodes) {
    // A masked caption must not be findable by what it hides.
    const caption = masked(node.schema) ? "" : node.caption.toLocaleLowerCase();
    if (!needle || caption.includes(needle) || typeLabel(node.schema).toLocaleLowerCase().includes(needle)) out.push(node);
  }
  return out.sort((a, b) => (masked(a.schema) ? MASK : a.caption).localeCompare(masked(b.schema) ? MASK : b.caption));
}

/** The option id an event happened in. */
function optionOf(target: EventTarget): string | null {
  return (target as HTMLElement).closest?.<HTMLElement>("[data-entity-id]")?.dataset.entityId ?? null;
}

export const NodeList = memo(function NodeList({ model, selected, focused, typeLabel, masked, onSelect, onInspect }: Props) {
  const { t, number } = useI18n();
  const [query, setQuery] = useState("");
  const [active, setActive] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement | null>(null);
  const matches = useMemo(() => filterNodes(model.nodes.values(), query, typeLabel, masked), [model.nodes, query, typeLabel, masked]);
  const shown = matches.slice(0, LIST_LIMIT);
  const selectedSet = new Set(selected);
  const activeId = active && shown.some((n) => n.id === active) ? active : (focused && shown.some((n) => n.id === focused) ? focused : shown[0]?.id ?? null);

  const optionId = (id: string) => `graph-node-option-${id}`;
  const toggle = (id: string) => onSelect(selectedSet.has(id) ? selected.filter((s) => s !== id) : [...selected, id], id);

  const move = (delta: number | "home" | "end") => {
    if (!shown.length) return;
    const index = shown.findIndex((n) => n.id === activeId);
    const next = delta === "home" ? 0 : delta === "end" ? shown.length - 1 : Math.min(shown.length - 1, Math.max(0, index + delta));
    const node = shown[next];
    if (!node) return;
    setActive(node.id);
    // jsdom has no scrollIntoView; browsers do.
    document.getElementById(optionId(node.id))?.scrollIntoView?.({ block: "nearest" });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(1),
      ArrowUp: () => move(-1),
      Home: () => move("home"),
      End: () => move("end"),
      " ": () => activeId && toggle(activeId),
      Enter: () => activeId && onInspect(activeId),
    };
    const run = keys[event.key];
    if (!run) return;
    event.preventDefault();
    run();
  };

  return (
    <Box component="section" aria-labelledby="graph-node-list-heading" sx={{ display: "flex", flexDirection: "column", flex: "1 0 auto", minHeight: 260 }}>
      <Typography id="graph-node-list-heading" component="h3" variant="subtitle2" sx={{ fontWeight: 700 }}>
        {t("graph.list.title", { count: model.nodes.size })}
      </Typography>
      <TextField
        size="small"
        label={t("graph.list.filter")}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        sx={{ my: 1 }}
        slotProps={{ htmlInput: { "data-testid": "graph-node-filter" } }}
      />
      {matches.length > LIST_LIMIT && (
        <Typography variant="caption" color="text.secondary">
          {t("graph.list.limited", { shown: number(LIST_LIMIT), total: number(matches.length) })}
        </Typography>
      )}
      <Box
        component="ul"
        ref={listRef}
        role="listbox"
        aria-multiselectable="true"
        aria-labelledby="graph-node-list-heading"
        aria-activedescendant={activeId ? optionId(activeId) : undefined}
        tabIndex={0}
        data-testid="graph-node-list"
        onKeyDown={onKeyDown}
        onClick={(event) => {
          const id = optionOf(event.target);
          if (!id) return;
          setActive(id);
          if (event.ctrlKey || event.metaKey || event.shiftKey) toggle(id);
          else onSelect([id], id);
        }}
        onDoubleClick={(event) => {
          const id = optionOf(event.target);
          if (id) onInspect(id);
        }}
        sx={{
          listStyle: "none",
          m: 0,
          p: 0,
          overflow: "auto",
          flex: 1,
          minHeight: 140,
          maxHeight: 420,
          border: 1,
          borderColor: "divider",
          borderRadius: 1,
          "&:focus-visible": { outline: "3px solid #b45309", outlineOffset: "1px" },
          "& > li": { px: 1, py: 0.5, cursor: "pointer", borderBottom: 1, borderColor: "divider", borderLeft: "4px solid transparent" },
          "& > li.selected": { bgcolor: "#dbeafe", borderLeftColor: "#1d4ed8", "& .caption": { fontWeight: 700 } },
          // The active option is shown while the list has focus (where the keys act).
          "&:focus > li.active": { outline: "2px solid #b45309", outlineOffset: "-2px" },
          "& .caption": { display: "block", fontSize: "0.875rem", wordBreak: "break-word" },
          "& .meta": { display: "block", fontSize: "0.75rem", color: "text.secondary" },
          "& .marker": { ml: 0.5, px: 0.75, borderRadius: 8, bgcolor: "#e5e7eb", fontSize: "0.75rem" },
        }}
      >
        {shown.length === 0 && (
          <Box component="li" role="option" aria-selected={false} aria-disabled sx={{ p: 1, color: "text.secondary" }}>
            {model.nodes.size ? t("graph.list.noMatch") : t("graph.list.empty")}
          </Box>
        )}
        {shown.map((node) => {
          const isSelected = selectedSet.has(node.id);
          const isMasked = masked(node.schema);
          const classes = [isSelected ? "selected" : "", node.id === activeId ? "active" : ""].filter(Boolean).join(" ");
          // Plain elements: a list of hundreds of MUI components is slow to re-render.
          return (
            <li key={node.id} id={optionId(node.id)} role="option" aria-selected={isSelected} data-entity-id={node.id} className={classes || undefined}>
              <span className="caption">
                {isSelected ? "✓ " : ""}
                {isMasked ? MASK : node.caption}
                {isMasked && <span className="marker">{t("common.masked")}</span>}
                {node.pinned && (
                  <>
                    {` ${PIN_MARK}`}
                    <Box component="span" sx={VISUALLY_HIDDEN}>
                      {` ${t("graph.list.pinned")}`}
                    </Box>
                  </>
                )}
              </span>
              <span className="meta">
                {typeLabel(node.schema)} · {node.labels.classificationName}
                {node.labels.compartments.length ? ` (${node.labels.compartments.join(", ")})` : ""}
              </span>
            </li>
          );
        })}
      </Box>
    </Box>
  );
});
