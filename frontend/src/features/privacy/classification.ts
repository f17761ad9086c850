/** Which marking the classification banner shows, and how a marking is written. */
import type { ClassificationMark } from "../../state/types";

/**
 * The lowest marking of the default scale (intelgraph.model.Classification). A screen that
 * shows nothing classified is still marked, so a screenshot never looks unmarked.
 */
export const LOWEST_MARK: ClassificationMark = { level: 0, name: "UNCLASSIFIED" };

/** The highest marking on screen, else the lowest of the scale. */
export function bannerMark(highest: ClassificationMark | null | undefined): ClassificationMark {
  if (!highest || highest.level < LOWEST_MARK.level) return LOWEST_MARK;
  return highest;
}

/**
 * The marking as people write it: "TOP_SECRET" → "TOP SECRET". A tenant's own level without
 * a name arrives as its number; null asks the caller to word it ("Level 7").
 */
export function markingText(mark: ClassificationMark): string | null {
  const name = mark.name.trim();
  if (!name || /^\d+$/.test(name)) return null;
  return name.replace(/_/g, " ").toUpperCase();
}
