/**
 * The classification bar above and below every screen: the highest marking of what is shown,
 * in its colours and in words. The top bar announces changes politely; the bottom bar repeats
 * the marking for the eye only and carries the live-connection indicator, like a status bar.
 */
import { Box } from "@mui/material";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { classificationColours } from "../../theme";
import { ConnectionIndicator } from "../realtime/ConnectionIndicator";
import { bannerMark, markingText } from "./classification";
import { visuallyHidden } from "../../components/visuallyHidden";


export function ClassificationBanner({ position = "top" }: { position?: "top" | "bottom" }) {
  const app = useApp();
  const { t } = useI18n();
  const mark = bannerMark(app.highestClassification);
  const colours = classificationColours(mark.level);
  const text = markingText(mark) ?? t("privacy.level", { level: mark.level });
  const bar = {
    bgcolor: colours.background,
    color: colours.color,
    width: "100%",
    minHeight: 24,
    px: 1,
    fontSize: 13,
    fontWeight: 700,
    letterSpacing: "0.08em",
    lineHeight: "24px",
    flexShrink: 0,
  } as const;

  if (position === "bottom")
    return (
      <Box
        data-testid="classification-banner-bottom"
        data-level={mark.level}
        sx={{ ...bar, display: "grid", gridTemplateColumns: "1fr auto 1fr", alignItems: "center" }}
      >
        <span />
        <span aria-hidden="true">{text}</span>
        <Box sx={{ justifySelf: "end", fontWeight: 400, letterSpacing: 0 }}>
          <ConnectionIndicator />
        </Box>
      </Box>
    );

  return (
    <Box role="status" data-testid="classification-banner" data-level={mark.level} sx={{ ...bar, textAlign: "center" }}>
      <Box component="span" sx={visuallyHidden}>
        {t("privacy.bannerLabel")}:{" "}
      </Box>
      {text}
      {app.safeMode && (
        <>
          {" · "}
          <span title={t("privacy.bannerSafeMode")}>{t("privacy.safeModeOn")}</span>
        </>
      )}
    </Box>
  );
}
