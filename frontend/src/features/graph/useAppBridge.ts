/**
 * Where the graph meets the rest of the app: whose canvas it is, under which rights it was
 * checked, entities sent from other views, the shared selection, the classification banner,
 * live changes and the test hook. Kept apart so the view itself is only about the canvas.
 */
import { useEffect, useRef, type RefObject } from "react";
import { useApp } from "../../state/app";
import { onGraphChange } from "../realtime/bus";
import type { CanvasHandle } from "./GraphCanvas";
import { classificationMarks, type GraphModel } from "./model";
import { openIds, refreshEntities, revalidateCanvas } from "./operations";
import { announce, announceCount, getGraphState, present, resetGraph, setGraphState } from "./store";
import { installTestHook } from "./testHook";

type Run = (task: () => Promise<unknown>) => Promise<void>;

export function useAppBridge(model: GraphModel, selected: readonly string[], run: Run, canvas: RefObject<CanvasHandle | null>): void {
  const app = useApp();

  // Another viewer starts with an empty canvas; another purpose or authority re-checks it.
  const viewerId = app.viewer?.id ?? null;
  const rightsKey = `${app.purpose ?? ""}|${app.authority ?? ""}`;
  useEffect(() => {
    if (!viewerId) return;
    const current = getGraphState();
    if (current.owner !== viewerId) {
      if (current.owner !== null || current.history.present.nodes.size) resetGraph(viewerId);
      else setGraphState((s) => ({ ...s, owner: viewerId }));
    }
    const checkedUnder = getGraphState().rightsKey;
    if (checkedUnder === rightsKey) return;
    setGraphState((s) => ({ ...s, rightsKey }));
    if (checkedUnder !== null && present().nodes.size)
      void run(async () => {
        const removed = await revalidateCanvas();
        if (removed) announceCount("graph.status.rightsRemoved", removed);
        else announce("graph.status.rightsChecked");
      });
  }, [viewerId, rightsKey, run]);

  // Entities sent from search, the inspector or a notice (each request once).
  const request = app.graphRequest;
  useEffect(() => {
    if (!request || !viewerId || request.seq <= getGraphState().handledRequest) return;
    setGraphState((s) => ({ ...s, handledRequest: request.seq }));
    void run(() => openIds(request.ids, request.mode));
  }, [request, viewerId, run]);

  // The canvas selection is the app's selection (table, export and inspector follow it);
  // arriving on the view does not overwrite what another view selected.
  const firstSelection = useRef(true);
  const { select } = app;
  useEffect(() => {
    if (firstSelection.current) {
      firstSelection.current = false;
      return;
    }
    select([...selected]);
  }, [selected, select]);

  // The banner shows the highest classification on the canvas; cleared when the view goes.
  const { reportClassifications } = app;
  const reported = useRef("");
  useEffect(() => {
    const marks = classificationMarks(model);
    const key = JSON.stringify(marks);
    if (key === reported.current) return; // a move or a pin does not change what is shown
    reported.current = key;
    reportClassifications("graph", marks);
  }, [model, reportClassifications]);
  useEffect(
    () => () => {
      reported.current = "";
      reportClassifications("graph", []);
    },
    [reportClassifications],
  );

  // Live changes to entities on the canvas refresh their captions and labels.
  useEffect(
    () =>
      onGraphChange((change) => {
        const current = present();
        const ids = change.entityIds.filter((id) => current.nodes.has(id) || current.edges.has(id));
        if (!ids.length) return;
        void run(async () => {
          const { updated, removed } = await refreshEntities(ids);
          if (removed) announce("graph.status.liveRemoved", { count: updated, removed });
          else if (updated) announceCount("graph.status.liveUpdated", updated);
        });
      }),
    [run],
  );

  useEffect(() => installTestHook(() => canvas.current?.cy() ?? null), [canvas]);
}
