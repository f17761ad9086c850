/**
 * The Graph view: link analysis on a Cytoscape canvas. Open entities from search, expand
 * by relationship type and direction, collapse, pin, lay out, find paths, undo/redo, save
 * and reopen investigations. Everything on the canvas is also reachable by keyboard and as
 * a list; the state lives in ./store so it survives switching views.
 */
import { useCallback, useMemo, useRef, useState } from "react";
import { Box, Button, CircularProgress, Paper, Stack, Typography } from "@mui/material";
import { ApiError } from "../../api/client";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { visuallyHidden as VISUALLY_HIDDEN } from "../../components/visuallyHidden";
import type { ApiDirection } from "./api";
import { ExpandMenu, type MenuTarget, type NodeAction } from "./ExpandMenu";
import { EdgeTypeFilter } from "./EdgeTypeFilter";
import { GraphCanvas, type CanvasAction, type CanvasHandle } from "./GraphCanvas";
import { GraphToolbar, type ToolbarAction } from "./GraphToolbar";
import { canRedo, canUndo } from "./history";
import { OpenDialog, SaveDialog } from "./InvestigationDialogs";
import { MAX_SAVED_NODES, type LayoutName } from "./investigation";
import { clearHighlight, collapseCandidates, neighbourIds, removeNodes, togglePinned } from "./model";
import { NodeList } from "./NodeList";
import { choosePath, expand, expandMore, findPaths, openInvestigation, saveCurrent } from "./operations";
import { PathPanel } from "./PathPanel";
import { maskPredicate } from "./privacy";
import {
  announce,
  announceCount,
  commit,
  getGraphState,
  hasUnsavedChanges,
  present,
  redoGraph,
  requestLayout,
  setFocused,
  setGraphState,
  setHiddenEdgeType,
  setSelected,
  undoGraph,
  useGraphState,
} from "./store";
import { MASK } from "./style";
import type { ViewInputs } from "./sync";
import { useAppBridge } from "./useAppBridge";
import { useNarrow } from "./useNarrow";
import { useStableCallback } from "./useStableCallback";

export function GraphView() {
  const app = useApp();
  const { t, number } = useI18n();
  const state = useGraphState();
  const model = state.history.present;
  const canvas = useRef<CanvasHandle | null>(null);
  const root = useRef<HTMLDivElement | null>(null);
  const narrow = useNarrow(root, 860);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [dialog, setDialog] = useState<"save" | "open" | null>(null);
  const [maxHops, setMaxHops] = useState(4);

  const ontology = app.ontology;
  const typeLabel = useCallback((schema: string) => ontology?.label(schema) ?? schema, [ontology]);
  const masked = useMemo(() => maskPredicate(ontology, app.safeMode), [ontology, app.safeMode]);
  const caption = useCallback(
    (id: string) => {
      const node = getGraphState().history.present.nodes.get(id);
      if (!node) return id;
      return masked(node.schema) ? MASK : node.caption;
    },
    [masked],
  );

  const view: ViewInputs = useMemo(
    () => ({
      hiddenEdgeTypes: state.hiddenEdgeTypes,
      maskedTypes: masked,
      ancestors: (schema) => ontology?.type(schema)?.ancestors ?? [],
      edgeLabel: typeLabel,
      maskedWord: t("common.masked"),
      key: [app.safeMode, ontology?.ontology.version ?? "", app.locale, [...state.hiddenEdgeTypes].sort().join(",")].join("|"),
    }),
    [state.hiddenEdgeTypes, masked, ontology, typeLabel, t, app.safeMode, app.locale],
  );

  /** Runs a server-backed action with a busy marker; failures are announced, not thrown. */
  const run = useStableCallback(async (task: () => Promise<unknown>) => {
    setGraphState((current) => ({ ...current, busy: true }));
    try {
      await task();
    } catch (error) {
      const message = error instanceof ApiError && error.hint ? `${error.message} ${error.hint}` : error instanceof Error ? error.message : String(error);
      announce("graph.status.error", { message }, "error");
      app.notify({ severity: "error", message: t("graph.status.error", { message }) });
    } finally {
      setGraphState((current) => ({ ...current, busy: false }));
    }
  });

  useAppBridge(model, state.selected, run, canvas);

  const selectFromList = useCallback((ids: string[], focus: string) => {
    setSelected(ids);
    setFocused(focus);
  }, []);

  const target = state.focused ?? state.selected[state.selected.length - 1] ?? null;
  const actionIds = state.selected.length ? [...state.selected] : target ? [target] : [];

  const openMenu = (nodeId: string, anchor: MenuTarget["anchor"], context: boolean) => {
    const node = model.nodes.get(nodeId);
    if (!node) return;
    setMenu({ nodeId, schema: node.schema, caption: caption(nodeId), anchor, context, pinned: node.pinned });
  };

  const doExpand = (nodeId: string, direction: ApiDirection, edgeTypes: string[] | null) => void run(() => expand(nodeId, direction, edgeTypes));

  const doCollapse = (nodeId: string) => {
    const gone = collapseCandidates(present(), nodeId);
    if (!gone.size) {
      announce("graph.status.nothingToCollapse", { name: caption(nodeId) });
      return;
    }
    commit(removeNodes(present(), gone));
    announceCount("graph.status.collapsed", gone.size, { name: caption(nodeId) });
    keepFocus();
  };

  const doPin = (ids: string[]) => {
    if (!ids.length) return;
    const next = togglePinned(present(), ids);
    commit(next);
    const pinned = ids.filter((id) => next.nodes.get(id)?.pinned).length;
    announceCount(pinned ? "graph.status.pinned" : "graph.status.unpinned", ids.length);
  };

  const doRemove = (ids: string[]) => {
    if (!ids.length) return;
    commit(removeNodes(present(), ids));
    announceCount("graph.status.removed", ids.length);
    keepFocus();
  };

  const doPath = () => {
    const [from, to] = getGraphState().selected;
    if (!from || !to) return;
    void run(() => findPaths(from, to, maxHops));
  };

  const doUndo = () => {
    announce(undoGraph() ? "graph.status.undone" : "graph.status.nothingToUndo");
    keepFocus();
  };
  const doRedo = () => {
    announce(redoGraph() ? "graph.status.redone" : "graph.status.nothingToRedo");
    keepFocus();
  };

  const onCanvasAction = (action: CanvasAction, id: string | null, at?: { x: number; y: number }) => {
    if (action === "undo") doUndo();
    else if (action === "redo") doRedo();
    if (!id) return;
    switch (action) {
      case "inspect":
        app.inspect(id);
        return;
      case "expand":
        doExpand(id, "BOTH", null);
        return;
      case "collapse":
        doCollapse(id);
        return;
      case "pin":
        doPin(state.selected.length ? [...state.selected] : [id]);
        return;
      case "remove":
        doRemove(state.selected.length ? [...state.selected] : [id]);
        return;
      case "menu":
        openMenu(id, at ?? canvas.current?.pagePosition(id) ?? { x: 200, y: 200 }, true);
        return;
    }
  };

  const onNodeAction = (action: NodeAction, id: string) => {
    if (action === "inspect") app.inspect(id);
    else if (action === "collapse") doCollapse(id);
    else if (action === "pin") doPin(state.selected.includes(id) ? [...state.selected] : [id]);
    else if (action === "remove") doRemove(state.selected.includes(id) ? [...state.selected] : [id]);
    else doPath();
  };

  const onToolbar = useStableCallback((action: ToolbarAction, anchor: HTMLElement) => {
    switch (action) {
      case "expand":
        if (target) openMenu(target, anchor, false);
        return;
      case "collapse":
        if (target) doCollapse(target);
        return;
      case "pin":
        doPin(actionIds);
        return;
      case "remove":
        doRemove(actionIds);
        return;
      case "path":
        doPath();
        return;
      case "fit":
        canvas.current?.fit();
        return;
      case "undo":
        doUndo();
        return;
      case "redo":
        doRedo();
        return;
      case "save":
      case "open":
        setDialog(action);
        return;
      case "inspect":
        if (target) app.inspect(target);
        return;
      case "table":
        app.select([...state.selected]);
        app.navigate("table");
        return;
    }
  });

  const onLayout = useStableCallback((layout: LayoutName) => {
    requestLayout(layout);
    announce("graph.status.layout", { layout: t(`graph.layout.${layout}`) });
  });
  const exportIds = useMemo(() => (state.selected.length ? [...state.selected] : [...model.nodes.keys()]), [state.selected, model.nodes]);

  const status = state.status ? t(state.status.key, state.status.params) : "";
  const more = state.more && model.nodes.has(state.more.nodeId) ? state.more : null;
  const allPinned = actionIds.length > 0 && actionIds.every((id) => model.nodes.get(id)?.pinned);
  const focusedNode = state.focused ? model.nodes.get(state.focused) : undefined;
  const focusText = focusedNode
    ? t("graph.focus", {
        name: caption(focusedNode.id),
        type: typeLabel(focusedNode.schema),
        classification: focusedNode.labels.classificationName,
        links: neighbourIds(model, focusedNode.id).size,
        state: [state.selected.includes(focusedNode.id) ? t("graph.focusSelected") : "", focusedNode.pinned ? t("graph.list.pinned") : ""].filter(Boolean).join(", "),
      })
    : "";

  return (
    <Box ref={root} data-testid="graph-view" sx={{ display: "flex", flexDirection: "column", height: narrow ? "auto" : "100%", minHeight: 560 }}>
      <Stack direction="row" spacing={2} sx={{ alignItems: "baseline", flexWrap: "wrap" }}>
        <Typography component="h2" variant="h5" sx={{ fontWeight: 700 }}>
          {t("graph.title")}
        </Typography>
        <Typography data-testid="graph-investigation-name" sx={{ fontWeight: 600 }}>
          {state.investigation ? t("graph.investigation", { name: state.investigation.name }) : t("graph.noInvestigation")}
          {hasUnsavedChanges(state) && model.nodes.size > 0 ? ` — ${t("graph.unsaved")}` : ""}
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="graph-counts">
          {t("graph.counts", { nodes: number(model.nodes.size), edges: number(model.edges.size) })}
        </Typography>
      </Stack>

      <GraphToolbar
        hasNodes={model.nodes.size > 0}
        selectedCount={state.selected.length}
        hasTarget={Boolean(target)}
        allPinned={allPinned}
        canUndo={canUndo(state.history)}
        canRedo={canRedo(state.history)}
        layout={state.layout}
        exportIds={exportIds}
        onLayout={onLayout}
        onAction={onToolbar}
      />

      <Stack direction="row" spacing={1} sx={{ alignItems: "center", minHeight: 32, mb: 1 }}>
        {(state.busy || state.layoutRunning) && <CircularProgress size={16} aria-label={t("graph.busy")} />}
        <Typography
          role="status"
          aria-live="polite"
          variant="body2"
          data-testid="graph-status"
          sx={{ color: state.status?.tone === "error" ? "error.main" : "text.primary" }}
        >
          {status}
        </Typography>
        {more && (
          <Button size="small" variant="outlined" onClick={() => void run(expandMore)} data-testid="graph-expand-more" disabled={state.busy}>
            {t("graph.more", { name: caption(more.nodeId) })}
          </Button>
        )}
      </Stack>

      {/* Side panels go below the canvas when the view is narrow (small screen, inspector open). */}
      <Stack direction={narrow ? "column" : "row"} spacing={2} sx={{ flex: 1, minHeight: 0 }}>
        <Box sx={{ position: "relative", flex: narrow ? "none" : 1, height: narrow ? "60vh" : undefined, minWidth: 0, display: "flex" }}>
          <GraphCanvas ref={canvas} view={view} label={t("graph.canvas")} describedBy="graph-canvas-help" onAction={onCanvasAction} />
          {model.nodes.size === 0 && (
            <Paper
              variant="outlined"
              data-testid="graph-empty"
              sx={{ position: "absolute", top: "50%", left: "50%", transform: "translate(-50%, -50%)", p: 3, maxWidth: 440, textAlign: "center" }}
            >
              <Typography component="p" variant="subtitle1" sx={{ fontWeight: 700, mb: 1 }}>
                {t("graph.empty.title")}
              </Typography>
              <Typography variant="body2" sx={{ mb: 2 }}>
                {t("graph.empty.body")}
              </Typography>
              <Stack direction="row" spacing={1} sx={{ justifyContent: "center" }}>
                <Button variant="contained" onClick={() => app.navigate("search")}>
                  {t("graph.empty.search")}
                </Button>
                <Button variant="outlined" onClick={() => setDialog("open")}>
                  {t("graph.action.open")}
                </Button>
              </Stack>
            </Paper>
          )}
        </Box>
        <Box
          component="aside"
          aria-label={t("graph.panels")}
          sx={{ width: narrow ? "auto" : 300, flexShrink: 0, display: "flex", flexDirection: "column", gap: 2, minHeight: 0, overflow: "auto" }}
        >
          <PathPanel
            paths={state.paths}
            model={model}
            maxHops={maxHops}
            onMaxHops={setMaxHops}
            onChoose={choosePath}
            onClear={() => {
              commit(clearHighlight(present()), "replace");
              setGraphState((s) => ({ ...s, paths: null }));
            }}
            typeLabel={typeLabel}
            masked={masked}
          />
          <NodeList
            model={model}
            selected={state.selected}
            focused={state.focused}
            typeLabel={typeLabel}
            masked={masked}
            onSelect={selectFromList}
            onInspect={app.inspect}
          />
          <EdgeTypeFilter model={model} hidden={state.hiddenEdgeTypes} typeLabel={typeLabel} onToggle={setHiddenEdgeType} />
          <Box component="details" sx={{ fontSize: 14 }}>
            <summary>{t("graph.keys.title")}</summary>
            <Typography variant="body2" component="p" sx={{ mt: 1 }}>
              {t("graph.keys.help")}
            </Typography>
          </Box>
        </Box>
      </Stack>

      <Box component="p" id="graph-canvas-help" sx={VISUALLY_HIDDEN}>
        {t("graph.keys.help")}
      </Box>
      <Box aria-live="polite" sx={VISUALLY_HIDDEN} data-testid="graph-focus-announcer">
        {focusText}
      </Box>

      <ExpandMenu
        target={menu}
        canFindPath={state.selected.length === 2}
        onClose={() => setMenu(null)}
        onExpand={doExpand}
        onAction={onNodeAction}
      />
      <SaveDialog
        open={dialog === "save"}
        current={state.investigation}
        onClose={() => setDialog(null)}
        onSave={async (name, asNew) => {
          try {
            await saveCurrent(name, asNew, canvas.current?.viewport() ?? null);
          } catch (error) {
            if (error instanceof RangeError) throw new Error(t("graph.save.tooLarge", { max: number(MAX_SAVED_NODES) }));
            throw error;
          }
        }}
      />
      <OpenDialog
        open={dialog === "open"}
        currentId={state.investigation?.id ?? null}
        unsaved={hasUnsavedChanges(state) && model.nodes.size > 0}
        onClose={() => setDialog(null)}
        onOpen={(id, name) => {
          announce("graph.status.opening", { name });
          void run(() => openInvestigation(id));
        }}
      />
    </Box>
  );
}

/** A toolbar button that disables itself (Remove, Undo…) would drop focus to the page: keep it on the canvas. */
function keepFocus() {
  setTimeout(() => {
    const active = document.activeElement as HTMLButtonElement | null;
    if (!active || active === document.body || active.disabled)
      document.querySelector<HTMLElement>('[data-testid="graph-canvas"]')?.focus();
  }, 0);
}
