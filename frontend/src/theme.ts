/** Colours chosen for WCAG 2.2 AA contrast; focus is always visible. */
import { createTheme } from "@mui/material/styles";

export const theme = createTheme({
  palette: {
    mode: "light",
    primary: { main: "#1d4ed8" },
    secondary: { main: "#6d28d9" },
    error: { main: "#b91c1c" },
    warning: { main: "#92400e" },
    success: { main: "#166534" },
    text: { primary: "#111827", secondary: "#374151" },
  },
  typography: { fontSize: 14 },
  components: {
    // MUI resets the outline on its buttons; put a ring back for keyboard focus (WCAG 2.4.7).
    MuiButtonBase: {
      defaultProps: { disableRipple: true },
      styleOverrides: { root: { "&.Mui-focusVisible": { outline: "3px solid #f59e0b", outlineOffset: 2 } } },
    },
    MuiCssBaseline: {
      styleOverrides: {
        "*:focus-visible": { outline: "3px solid #f59e0b", outlineOffset: "2px" },
      },
    },
  },
});

/** Banner colours by classification level (0 lowest); text always meets AA on them. */
export function classificationColours(level: number): { background: string; color: string } {
  const scale = [
    { background: "#166534", color: "#ffffff" },
    { background: "#1d4ed8", color: "#ffffff" },
    { background: "#b91c1c", color: "#ffffff" },
    { background: "#9a3412", color: "#ffffff" },
    { background: "#fde047", color: "#111827" },
  ];
  return scale[Math.max(0, Math.min(level, scale.length - 1))] ?? { background: "#111827", color: "#ffffff" };
}
