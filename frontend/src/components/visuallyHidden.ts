/**
 * Text for assistive technology only: off-screen but read (status words beside icons, live
 * announcements). Sizes are pixel strings: in MUI's `sx` a bare 1 means 100%.
 */
export const visuallyHidden = {
  position: "absolute",
  width: "1px",
  height: "1px",
  padding: 0,
  margin: "-1px",
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
} as const;
