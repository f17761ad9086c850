import { describe, expect, it } from "vitest";
import { canRedo, canUndo, mapAll, push, redo, replace, startHistory, undo } from "./history";

describe("history", () => {
  it("undoes and redoes in order", () => {
    let h = startHistory("a");
    h = push(h, "b");
    h = push(h, "c");
    expect(h.present).toBe("c");
    h = undo(h);
    expect(h.present).toBe("b");
    h = undo(h);
    expect(h.present).toBe("a");
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(redo(h));
    expect(h.present).toBe("c");
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);
  });

  it("a new step after undo drops the redo stack", () => {
    let h = push(push(startHistory(1), 2), 3);
    h = push(undo(h), 4);
    expect(h.present).toBe(4);
    expect(h.future).toEqual([]);
    expect(undo(h).present).toBe(2);
  });

  it("pushing the present is a no-op", () => {
    const h = push(startHistory("a"), "b");
    expect(push(h, "b")).toBe(h);
  });

  it("caps the undo stack, dropping the oldest", () => {
    let h = startHistory(0);
    for (let i = 1; i <= 10; i += 1) h = push(h, i, 3);
    expect(h.past).toEqual([7, 8, 9]);
    h = undo(undo(undo(h)));
    expect(h.present).toBe(7);
    expect(canUndo(h)).toBe(false);
  });

  it("replace changes the present without a step", () => {
    const h = replace(push(startHistory("a"), "b"), "b2");
    expect(h.present).toBe("b2");
    expect(undo(h).present).toBe("a");
    expect(redo(undo(h)).present).toBe("b2");
  });

  it("mapAll changes every snapshot", () => {
    const h = mapAll(undo(push(push(startHistory(1), 2), 3)), (n) => n * 10);
    expect([h.past, h.present, h.future]).toEqual([[10], 20, [30]]);
  });
});
