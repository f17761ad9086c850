/**
 * Live graph changes: every event goes to the bus (views refresh themselves); people get one
 * small, polite notice per burst with a way to open the new entities. It never takes focus.
 */
import { useEffect, useState } from "react";
import { Box, Button, IconButton, Paper, Typography } from "@mui/material";
import CloseIcon from "@mui/icons-material/Close";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { publishGraphChange } from "./bus";
import { ChangeTally, createCoalescer } from "./coalesce";
import { backoffMs, openGraphFeed } from "./feed";
import { noticeText } from "./message";
import { setConnectionStatus } from "./status";
import { visuallyHidden } from "../../components/visuallyHidden";

/** The most entities one "Show" adds to the canvas. */
const SHOW_LIMIT = 200;
/** A notice nobody looks at goes away; hovering or focusing it keeps it. */
const NOTICE_MS = 30_000;

export function RealtimeNotices() {
  const app = useApp();
  const { t, number } = useI18n();
  const [tally, setTally] = useState<ChangeTally | null>(null);
  const [held, setHeld] = useState(false);
  const { session, purpose, authority } = app;

  // One feed per credential, purpose and authority: the server filters events by them.
  useEffect(() => {
    if (!session) return;
    const coalescer = createCoalescer({
      quietMs: 1000,
      maxWaitMs: 5000,
      flush: (burst) => setTally((current) => (current ? current.merged(burst) : burst)),
    });
    let close: (() => void) | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;
    const open = () => {
      close = openGraphFeed({
        change: (change) => {
          attempt = 0;
          publishGraphChange({ kind: change.kind, seq: change.seq, at: change.at, entityIds: change.entityIds, count: change.count });
          coalescer.push(change);
        },
        status: (status) => {
          if (status === "live") attempt = 0;
          setConnectionStatus(status);
        },
        ended: () => {
          if (stopped) return;
          close?.();
          attempt += 1;
          setConnectionStatus("reconnecting");
          retry = setTimeout(open, backoffMs(attempt));
        },
      });
    };
    setConnectionStatus("connecting");
    open();
    return () => {
      stopped = true;
      if (retry !== undefined) clearTimeout(retry);
      close?.();
      coalescer.cancel();
      setConnectionStatus("off");
    };
  }, [session, purpose, authority]);

  // What a notice said under one purpose says nothing under another.
  useEffect(() => setTally(null), [session, purpose, authority]);

  useEffect(() => {
    if (!tally || held) return;
    const timer = setTimeout(() => setTally(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [tally, held]);

  const text = tally ? noticeText(tally, t, (schema) => app.ontology?.label(schema) ?? schema, number) : null;
  const ids = tally ? tally.idsToShow(SHOW_LIMIT) : [];
  const more = tally ? tally.idsToShow(Number.MAX_SAFE_INTEGER).length > SHOW_LIMIT : false;

  return (
    <>
      {/* Announced politely, text only: the region exists before any notice, so the first one is read too. */}
      <Box role="status" sx={visuallyHidden}>
        {text?.headline ?? ""}
      </Box>
      {tally && text && (
        <Paper
          elevation={6}
          data-testid="realtime-notice"
          aria-label={t("realtime.noticeLabel")}
          role="region"
          onMouseEnter={() => setHeld(true)}
          onMouseLeave={() => setHeld(false)}
          onFocus={() => setHeld(true)}
          onBlur={() => setHeld(false)}
          sx={{ position: "fixed", right: 16, bottom: 36, zIndex: 1200, maxWidth: 380, display: "flex", alignItems: "flex-start", gap: 1, p: 1.5, pr: 0.5 }}
        >
          <Box sx={{ flex: 1, minWidth: 0 }}>
            <Typography variant="body2" sx={{ fontWeight: 600 }}>
              {text.headline}
            </Typography>
            {text.types && (
              <Typography variant="caption" color="text.secondary" component="div">
                {text.types}
              </Typography>
            )}
            {ids.length > 0 && (
              <Button
                size="small"
                sx={{ mt: 0.5, ml: -0.5 }}
                onClick={() => {
                  app.openInGraph(ids, "add");
                  setTally(null);
                }}
                data-testid="realtime-notice-show"
              >
                {more ? t("realtime.showNewest", { count: SHOW_LIMIT }) : t("realtime.show")}
              </Button>
            )}
          </Box>
          <IconButton size="small" aria-label={t("realtime.dismiss")} title={t("realtime.dismiss")} onClick={() => setTally(null)}>
            <CloseIcon fontSize="small" />
          </IconButton>
        </Paper>
      )}
    </>
  );
}

