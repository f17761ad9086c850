import { describe, expect, it } from "vitest";
import { highestMark } from "../../state/app";
import { bannerMark, markingText } from "./classification";

describe("banner level", () => {
  it("shows the lowest marking when nothing classified is on screen", () => {
    expect(bannerMark(null)).toEqual({ level: 0, name: "UNCLASSIFIED" });
    expect(bannerMark(highestMark([]))).toEqual({ level: 0, name: "UNCLASSIFIED" });
  });

  it("shows the highest marking any region reports", () => {
    const regions = [
      [{ level: 1, name: "CONFIDENTIAL" }],
      [
        { level: 0, name: "UNCLASSIFIED" },
        { level: 2, name: "SECRET" },
      ],
    ];
    expect(bannerMark(highestMark(regions))).toEqual({ level: 2, name: "SECRET" });
  });

  it("writes markings as people do, and leaves bare numbers to the caller", () => {
    expect(markingText({ level: 3, name: "TOP_SECRET" })).toBe("TOP SECRET");
    expect(markingText({ level: 1, name: "confidential" })).toBe("CONFIDENTIAL");
    expect(markingText({ level: 7, name: "7" })).toBeNull();
  });
});
