import { describe, expect, it } from "vitest";
import { formatBytes } from "./bytes";

describe("file sizes", () => {
  it("picks a unit and formats for the locale", () => {
    expect(formatBytes(70306, "en")).toBe("70.3 kB");
    expect(formatBytes(70306, "de")).toBe("70,3 kB");
    expect(formatBytes(2_500_000, "en")).toBe("2.5 MB");
    expect(formatBytes(512, "en")).toBe("512 bytes");
  });
});
