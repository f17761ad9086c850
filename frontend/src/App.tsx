/** The shell: banner, navigation, the current view, the inspector and notices. */
import { AppBar, Alert, Box, Button, Snackbar, Stack, Tab, Tabs, Toolbar, Typography } from "@mui/material";
import { lazy, Suspense } from "react";
import { useApp } from "./state/app";
import { useI18n } from "./i18n";
import { LanguageSelect } from "./components/LanguageSelect";
import type { View } from "./state/types";
import { LoginView } from "./features/login/LoginView";
import { SearchView } from "./features/search/SearchView";
import { TableView } from "./features/table/TableView";
import { InspectorPanel } from "./features/inspector/InspectorPanel";
import { PrivacyToolbar } from "./features/privacy/PrivacyToolbar";
import { ClassificationBanner } from "./features/privacy/ClassificationBanner";
import { RealtimeNotices } from "./features/realtime/RealtimeNotices";
import { IngestView } from "./features/ingest/IngestView";

const VIEWS: View[] = ["search", "graph", "table", "ingest"];

// The graph view carries Cytoscape (about a third of the JavaScript): it loads when first shown.
const GraphView = lazy(() => import("./features/graph/GraphView").then((module) => ({ default: module.GraphView })));

function Loading() {
  const { t } = useI18n();
  return <Typography role="status">{t("common.loading")}</Typography>;
}

function SessionExpiredAlert() {
  const app = useApp();
  const { t } = useI18n();
  if (!app.sessionExpired) return null;
  return (
    <Alert severity="warning" role="alert" sx={{ m: 2 }}>
      <strong>{t("session.expiredTitle")}.</strong> {t("session.expired")}
    </Alert>
  );
}

function Notices() {
  const app = useApp();
  const { t } = useI18n();
  const notice = app.notices[app.notices.length - 1];
  return (
    <Snackbar open={Boolean(notice)} anchorOrigin={{ vertical: "bottom", horizontal: "left" }}>
      {notice ? (
        <Alert
          severity={notice.severity}
          variant="filled"
          onClose={() => app.dismiss(notice.id)}
          action={
            notice.action ? (
              <Button color="inherit" size="small" onClick={() => { notice.action?.run(); app.dismiss(notice.id); }}>
                {notice.action.label}
              </Button>
            ) : undefined
          }
          slotProps={{ closeButton: { title: t("common.close"), "aria-label": t("common.close") } }}
          role="status"
        >
          {notice.message}
        </Alert>
      ) : undefined}
    </Snackbar>
  );
}

function CurrentView({ view }: { view: View }) {
  switch (view) {
    case "graph":
      return (
        <Suspense fallback={<Loading />}>
          <GraphView />
        </Suspense>
      );
    case "table":
      return <TableView />;
    case "ingest":
      return <IngestView />;
    default:
      return <SearchView />;
  }
}

export function App() {
  const app = useApp();
  const { t } = useI18n();

  if (!app.session) {
    return (
      <>
        <SessionExpiredAlert />
        <LoginView />
      </>
    );
  }

  return (
    <Box sx={{ display: "flex", flexDirection: "column", height: "100vh" }}>
      <a href="#main" className="skip-link">
        {t("app.skipToContent")}
      </a>
      <ClassificationBanner />
      <AppBar position="static" color="default" elevation={1}>
        <Toolbar sx={{ gap: 2, flexWrap: "wrap" }}>
          <Typography variant="h6" component="h1" sx={{ fontWeight: 700 }}>
            {t("app.name")}
          </Typography>
          <Tabs
            value={app.view}
            onChange={(_, next: View) => app.navigate(next)}
            aria-label={t("nav.label")}
            component="nav"
          >
            {VIEWS.map((view) => (
              <Tab key={view} value={view} label={t(`nav.${view}`)} id={`tab-${view}`} aria-controls="main" data-testid={`nav-${view}`} />
            ))}
          </Tabs>
          <Box sx={{ flexGrow: 1 }} />
          <PrivacyToolbar />
          <LanguageSelect />
          <Button variant="outlined" onClick={() => void app.signOut()} data-testid="sign-out">
            {t("nav.signOut")}
          </Button>
        </Toolbar>
      </AppBar>
      <Stack direction="row" sx={{ flex: 1, minHeight: 0 }}>
        <Box component="main" id="main" tabIndex={-1} aria-labelledby={`tab-${app.view}`} sx={{ flex: 1, minWidth: 0, overflow: "auto", p: 2 }}>
          <CurrentView view={app.view} />
        </Box>
        <InspectorPanel />
      </Stack>
      <ClassificationBanner position="bottom" />
      <RealtimeNotices />
      <Notices />
    </Box>
  );
}
