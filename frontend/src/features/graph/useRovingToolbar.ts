/**
 * Roving focus for a role="toolbar": one Tab stop, arrow keys (and Home/End) move between
 * the enabled controls. Works on the DOM, so controls rendered by other features (the export
 * button) take part without knowing about it.
 */
import { useCallback, useEffect, useRef, type FocusEvent, type KeyboardEvent, type RefObject } from "react";

const ITEMS = 'button:not([disabled]), [role="combobox"]:not([aria-disabled="true"])';

function items(root: HTMLElement): HTMLElement[] {
  // Only controls drawn inside the toolbar (not in portals opened from it).
  return [...root.querySelectorAll<HTMLElement>(ITEMS)].filter((el) => el.closest('[role="toolbar"]') === root);
}

export interface RovingHandlers {
  onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
  onFocus: (event: FocusEvent<HTMLElement>) => void;
}

export function useRovingToolbar(ref: RefObject<HTMLElement | null>): RovingHandlers {
  const active = useRef<HTMLElement | null>(null);

  // After every render: exactly one control is in the Tab order (the last used, else the first).
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const all = items(root);
    const current = active.current && all.includes(active.current) ? active.current : all[0];
    for (const el of all) el.tabIndex = el === current ? 0 : -1;
  });

  // A control focused by mouse or Tab becomes the toolbar's Tab stop.
  const onFocus = useCallback(
    (event: FocusEvent<HTMLElement>) => {
      const root = ref.current;
      if (!root) return;
      const all = items(root);
      const target = event.target as HTMLElement;
      if (!all.includes(target)) return;
      active.current = target;
      for (const el of all) el.tabIndex = el === target ? 0 : -1;
    },
    [ref],
  );

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLElement>) => {
      const root = ref.current;
      if (!root) return;
      const all = items(root);
      const index = all.indexOf(document.activeElement as HTMLElement);
      if (index < 0) return;
      let next = -1;
      if (event.key === "ArrowRight") next = (index + 1) % all.length;
      else if (event.key === "ArrowLeft") next = (index - 1 + all.length) % all.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = all.length - 1;
      if (next < 0) return;
      event.preventDefault();
      const target = all[next];
      if (!target) return;
      for (const el of all) el.tabIndex = el === target ? 0 : -1;
      active.current = target;
      target.focus();
    },
    [ref],
  );

  return { onKeyDown, onFocus };
}
