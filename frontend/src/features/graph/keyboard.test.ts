import { describe, expect, it } from "vitest";
import { commandOfKey, nearestInDirection, nearestTo } from "./keyboard";

//        n(0,-100)
// w(-100,0)  o(0,0)  e(100,0)   far(300,10)
//        s(0,100)    diag(90,-120)
const from = { id: "o", x: 0, y: 0 };
const points = [
  from,
  { id: "n", x: 0, y: -100 },
  { id: "s", x: 0, y: 100 },
  { id: "e", x: 100, y: 0 },
  { id: "w", x: -100, y: 0 },
  { id: "far", x: 300, y: 10 },
  { id: "diag", x: 90, y: -120 },
];

describe("nearestInDirection", () => {
  it("moves to the nearest node along each arrow", () => {
    expect(nearestInDirection(from, points, "right")).toBe("e");
    expect(nearestInDirection(from, points, "left")).toBe("w");
    expect(nearestInDirection(from, points, "up")).toBe("n");
    expect(nearestInDirection(from, points, "down")).toBe("s");
  });

  it("prefers a node inside the cone over a nearer one off to the side", () => {
    // side scores 60 + 2·70 = 200, ahead 250: still ahead, as side is outside the 45° cone.
    const pts = [from, { id: "side", x: 60, y: -70 }, { id: "ahead", x: 250, y: 0 }];
    expect(nearestInDirection(from, pts, "right")).toBe("ahead");
  });

  it("falls back to any node ahead when none is in the cone", () => {
    const pts = [from, { id: "steep", x: 20, y: -200 }];
    expect(nearestInDirection(from, pts, "right")).toBe("steep");
  });

  it("returns null when nothing lies that way", () => {
    expect(nearestInDirection(from, [from, { id: "w", x: -10, y: 0 }], "right")).toBeNull();
    expect(nearestInDirection(from, [from], "up")).toBeNull();
  });

  it("finds the node nearest a point", () => {
    expect(nearestTo(95, 5, points)).toBe("e");
    expect(nearestTo(0, 0, [])).toBeNull();
  });
});

describe("commandOfKey", () => {
  it("maps arrows with their selection mode", () => {
    expect(commandOfKey({ key: "ArrowLeft" })).toEqual({ kind: "move", direction: "left", mode: "select" });
    expect(commandOfKey({ key: "ArrowUp", ctrlKey: true })).toEqual({ kind: "move", direction: "up", mode: "focus" });
    expect(commandOfKey({ key: "ArrowDown", shiftKey: true })).toEqual({ kind: "move", direction: "down", mode: "extend" });
  });

  it("maps undo and redo in their usual spellings", () => {
    expect(commandOfKey({ key: "z", ctrlKey: true })?.kind).toBe("undo");
    expect(commandOfKey({ key: "Z", ctrlKey: true, shiftKey: true })?.kind).toBe("redo");
    expect(commandOfKey({ key: "y", metaKey: true })?.kind).toBe("redo");
  });

  it("maps the single-letter and other keys", () => {
    const kinds = [" ", "Enter", "e", "C", "p", "Delete", "+", "-", "f", "ContextMenu", "Escape"].map((key) => commandOfKey({ key })?.kind);
    expect(kinds).toEqual(["toggle-select", "inspect", "expand", "collapse", "pin", "remove", "zoom-in", "zoom-out", "fit", "menu", "escape"]);
    expect(commandOfKey({ key: "F10", shiftKey: true })?.kind).toBe("menu");
  });

  it("lets Tab, plain F10 and browser shortcuts through", () => {
    expect(commandOfKey({ key: "Tab" })).toBeNull();
    expect(commandOfKey({ key: "F10" })).toBeNull();
    expect(commandOfKey({ key: "c", ctrlKey: true })).toBeNull();
    expect(commandOfKey({ key: "e", altKey: true })).toBeNull();
  });
});
