/**
 * The inspector: a complementary region beside the current view with everything known
 * about the inspected entity, its provenance, and in-browser verification of each
 * statement against the signed ledger. Escape (inside the panel) or the close button
 * closes it and returns focus to where it was opened from.
 */
import AccountTreeIcon from "@mui/icons-material/AccountTree";
import CloseIcon from "@mui/icons-material/Close";
import { Alert, Box, Button, CircularProgress, IconButton, Stack, Typography } from "@mui/material";
import { useCallback, useEffect, useMemo, useRef, type KeyboardEvent } from "react";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { visuallyHidden } from "../../components/visuallyHidden";
import { EntityHeader } from "./EntityHeader";
import { classificationMarks, propertyRows } from "./model";
import { PropertiesSection } from "./PropertiesSection";
import { Resizer, usePanelWidth } from "./Resizer";
import { StatementsSection } from "./StatementsSection";
import { useInspectedEntity } from "./useInspectedEntity";
import { useVerification } from "./useVerification";

const CAPTION_ID = "inspector-caption";
const LABEL_ID = "inspector-label";

function InspectorBody({ id }: { id: string }) {
  const app = useApp();
  const { t } = useI18n();
  const { state, retry, loadMore } = useInspectedEntity(id);
  const { results, verify } = useVerification();
  const report = app.reportClassifications;

  const ready = state.status === "ready" ? state : null;
  const marks = useMemo(() => (ready ? classificationMarks(ready.entity, ready.statements) : []), [ready]);
  useEffect(() => report("inspector", marks), [report, marks]);
  useEffect(() => () => report("inspector", []), [report]);

  const rows = useMemo(
    () => (ready ? propertyRows(ready.entity, ready.statements, { ontology: app.ontology, safeMode: app.safeMode }) : []),
    [ready, app.ontology, app.safeMode],
  );

  if (state.status === "loading")
    return (
      <Stack direction="row" spacing={1} role="status" sx={{ alignItems: "center", py: 2 }}>
        <CircularProgress size={18} aria-hidden="true" />
        <Typography variant="body2">{t("inspector.loading")}</Typography>
      </Stack>
    );
  if (state.status === "absent")
    return (
      <Box sx={{ py: 1 }}>
        <Typography variant="h6" component="h2" id={CAPTION_ID} sx={{ fontSize: "1.05rem" }}>
          {t("inspector.absent")}
        </Typography>
        <Typography variant="body2" sx={{ color: "text.secondary" }}>
          {t("inspector.absentHint")}
        </Typography>
      </Box>
    );
  if (state.status === "error")
    return (
      <Alert
        severity="error"
        role="status"
        sx={{ my: 1 }}
        action={
          <Button color="inherit" size="small" onClick={retry}>
            {t("common.retry")}
          </Button>
        }
      >
        {t("inspector.error", { message: state.message })}
      </Alert>
    );

  return (
    <Stack spacing={2} sx={{ py: 1 }}>
      <EntityHeader entity={state.entity} headingId={CAPTION_ID} />
      <Box role="status" sx={visuallyHidden}>
        {state.revision > 0 ? t("inspector.updated") : ""}
      </Box>
      <Button
        variant="outlined"
        size="small"
        startIcon={<AccountTreeIcon />}
        onClick={() => app.openInGraph([state.entity.id], "add")}
        data-testid="inspector-open-graph"
        sx={{ alignSelf: "flex-start" }}
      >
        {t("inspector.openInGraph")}
      </Button>
      <PropertiesSection rows={rows} />
      <StatementsSection
        entity={state.entity}
        statements={state.statements}
        totalCount={state.totalCount}
        hasNextPage={state.hasNextPage}
        loadingMore={state.loadingMore}
        moreError={state.moreError}
        onMore={() => void loadMore()}
        results={results}
        onVerify={(statement) => void verify(statement)}
      />
    </Stack>
  );
}

export function InspectorPanel() {
  const app = useApp();
  const { t } = useI18n();
  const [width, setWidth] = usePanelWidth();
  const opener = useRef<HTMLElement | null>(null);
  const inspected = app.inspected;
  const inspect = app.inspect;

  // Remember what had focus when the panel opened (the panel never takes focus itself),
  // to give focus back there on close.
  const open = Boolean(inspected);
  useEffect(() => {
    if (!open) return;
    const active = document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
  }, [open]);

  const close = useCallback(() => {
    inspect(null);
    const target = opener.current?.isConnected ? opener.current : document.getElementById("main");
    target?.focus();
  }, [inspect]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || event.defaultPrevented) return; // a menu or tooltip inside took it
    event.preventDefault();
    close();
  };

  if (!inspected) return null;
  return (
    <Box
      component="aside"
      aria-labelledby={`${LABEL_ID} ${CAPTION_ID}`}
      data-testid="inspector"
      onKeyDown={onKeyDown}
      sx={{
        display: "flex",
        width,
        flexShrink: 0,
        minHeight: 0,
        bgcolor: "background.paper",
        // MUI buttons reset `outline`, which hides the theme's focus ring: restore it here.
        "& .Mui-focusVisible, & :focus-visible": { outline: "3px solid #f59e0b", outlineOffset: "2px" },
      }}
    >
      <Resizer width={width} onWidth={setWidth} />
      <Box sx={{ flex: 1, minWidth: 0, overflowY: "auto", px: 2, pb: 2 }}>
        <Stack
          direction="row"
          sx={{ alignItems: "center", position: "sticky", top: 0, zIndex: 1, bgcolor: "background.paper", py: 0.5, borderBottom: 1, borderColor: "divider" }}
        >
          <Typography id={LABEL_ID} variant="overline" sx={{ flex: 1, color: "text.secondary", fontWeight: 700 }}>
            {t("inspector.title")}
          </Typography>
          <IconButton onClick={close} aria-label={t("inspector.close")} title={t("inspector.close")} data-testid="inspector-close" size="small">
            <CloseIcon fontSize="small" />
          </IconButton>
        </Stack>
        <InspectorBody key={inspected} id={inspected} />
      </Box>
    </Box>
  );
}
