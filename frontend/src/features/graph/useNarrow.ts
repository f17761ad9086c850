/** Whether an element is narrower than `limit` pixels (the inspector can squeeze the view on a wide screen too). */
import { useEffect, useState, type RefObject } from "react";

export function useNarrow(ref: RefObject<HTMLElement | null>, limit: number): boolean {
  const [narrow, setNarrow] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setNarrow(entry.contentRect.width < limit);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, limit]);
  return narrow;
}
