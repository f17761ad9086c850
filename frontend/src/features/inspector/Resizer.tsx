/**
 * The panel's left edge: drag it, or focus it and use the arrow keys, Home and End, to set
 * the width. The width is remembered for the next visit.
 */
import { Box } from "@mui/material";
import { useCallback, useEffect, useState, type KeyboardEvent, type PointerEvent } from "react";
import { useI18n } from "../../i18n";

export const MIN_WIDTH = 320;
export const DEFAULT_WIDTH = 420;
const MAX_WIDTH = 960;
const STEP = 24;
const STORE = "intelgraph.inspector.width";

export function clampWidth(width: number, viewport: number): number {
  const max = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.round(viewport * 0.7)));
  return Math.round(Math.min(max, Math.max(MIN_WIDTH, width)));
}

function storedWidth(): number {
  const stored = Number(localStorage.getItem(STORE));
  return clampWidth(Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_WIDTH, window.innerWidth);
}

export function usePanelWidth() {
  const [width, setWidthState] = useState(storedWidth);
  const setWidth = useCallback((next: number) => setWidthState(clampWidth(next, window.innerWidth)), []);
  useEffect(() => {
    localStorage.setItem(STORE, String(width));
  }, [width]);
  return [width, setWidth] as const;
}

export function Resizer({ width, onWidth }: { width: number; onWidth: (width: number) => void }) {
  const { t } = useI18n();

  const onKeyDown = (event: KeyboardEvent) => {
    const next: Record<string, number> = {
      ArrowLeft: width + STEP, // the panel sits on the right: its edge moves left to widen it
      ArrowRight: width - STEP,
      Home: MIN_WIDTH,
      End: MAX_WIDTH,
    };
    const target = next[event.key];
    if (target === undefined) return;
    event.preventDefault();
    onWidth(target);
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.preventDefault();
    const startX = event.clientX;
    const startWidth = width;
    const element = event.currentTarget;
    element.setPointerCapture(event.pointerId);
    const move = (moved: globalThis.PointerEvent) => onWidth(startWidth + (startX - moved.clientX));
    const up = () => {
      element.removeEventListener("pointermove", move);
      element.removeEventListener("pointerup", up);
      element.removeEventListener("pointercancel", up);
    };
    element.addEventListener("pointermove", move);
    element.addEventListener("pointerup", up);
    element.addEventListener("pointercancel", up);
  };

  return (
    <Box
      role="separator"
      aria-orientation="vertical"
      aria-label={t("inspector.resize")}
      aria-valuenow={width}
      aria-valuemin={MIN_WIDTH}
      aria-valuemax={MAX_WIDTH}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      sx={{
        width: 8,
        flexShrink: 0,
        cursor: "col-resize",
        borderLeft: 1,
        borderColor: "divider",
        touchAction: "none",
        "&:hover, &:focus-visible": { bgcolor: "action.hover" },
      }}
    />
  );
}
