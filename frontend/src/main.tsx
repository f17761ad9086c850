import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { CssBaseline, ThemeProvider } from "@mui/material";
import { App } from "./App";
import { AppProvider, useApp } from "./state/app";
import { I18nProvider, preferredLocale } from "./i18n";
import { theme } from "./theme";
import "./styles.css";

function Localised() {
  const app = useApp();
  return (
    <I18nProvider locale={app.locale}>
      <App />
    </I18nProvider>
  );
}

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <AppProvider initialLocale={preferredLocale()}>
        <Localised />
      </AppProvider>
    </ThemeProvider>
  </StrictMode>,
);
