/** One statement: what it asserts, who says so, where it was read, and its verification. */
import VerifiedUserIcon from "@mui/icons-material/VerifiedUser";
import { Box, Button, Chip } from "@mui/material";
import { useI18n } from "../../i18n";
import { sourcesText } from "./format";
import { HashText } from "./HashText";
import { ClassificationChip, MaskedValue } from "./Markers";
import type { StatementNode } from "./model";
import type { Verification } from "./useVerification";
import { VerifyResult } from "./VerifyResult";

const term = { fontSize: "0.75rem", color: "text.secondary", fontWeight: 600, m: 0 } as const;
const detail = { m: 0, mb: 0.5, fontSize: "0.8125rem", overflowWrap: "anywhere", minWidth: 0 } as const;

export interface StatementItemProps {
  statement: StatementNode;
  propertyLabel: string;
  masked: boolean;
  sources: number;
  verification: Verification | undefined;
  onVerify: () => void;
}

export function StatementItem({ statement, propertyLabel, masked, sources, verification, onVerify }: StatementItemProps) {
  const { t, dateTime } = useI18n();
  const titleId = `statement-${statement.id}`;
  const running = verification?.status === "running";
  return (
    <Box
      component="li"
      data-testid="statement"
      data-statement-id={statement.id}
      aria-labelledby={titleId}
      tabIndex={-1}
      sx={{ borderTop: 1, borderColor: "divider", py: 1, outlineOffset: -3 }}
    >
      <Box sx={{ display: "flex", alignItems: "flex-start", gap: 1 }}>
        <Box id={titleId} sx={{ flex: 1, minWidth: 0, fontSize: "0.875rem", overflowWrap: "anywhere" }}>
          <strong>{propertyLabel}</strong>: {masked ? <MaskedValue /> : statement.value}
        </Box>
        <ClassificationChip level={statement.labels.classification} name={statement.labels.classificationName} />
      </Box>
      <Box component="dl" sx={{ m: 0, mt: 0.5, display: "grid", gridTemplateColumns: "auto 1fr", columnGap: 1.25, alignItems: "baseline" }}>
        <Box component="dt" sx={term}>
          {t("inspector.source")}
        </Box>
        <Box component="dd" sx={detail}>
          {statement.source ? (
            <>
              {statement.source.name} <Chip size="small" variant="outlined" label={statement.source.licence} sx={{ height: 20, fontSize: "0.7rem" }} />
            </>
          ) : (
            t("inspector.sourceHidden")
          )}
        </Box>
        <Box component="dt" sx={term}>
          {t("inspector.corroboration")}
        </Box>
        <Box component="dd" sx={detail} title={t("inspector.valueSourcesTitle")}>
          {sourcesText(t, sources)}
        </Box>
        <Box component="dt" sx={term}>
          {t("inspector.seen")}
        </Box>
        <Box component="dd" sx={detail}>
          {t("inspector.observedRange", { first: dateTime(statement.firstSeen), last: dateTime(statement.lastSeen) })}
        </Box>
        <Box component="dt" sx={term}>
          {t("inspector.record")}
        </Box>
        <Box component="dd" sx={detail}>
          {statement.record ? (
            <>
              <div>{statement.record.location}</div>
              <Box component="div" sx={{ color: "text.secondary" }}>
                {statement.record.uri}
              </Box>
            </>
          ) : (
            t("inspector.recordHidden")
          )}
        </Box>
        <Box component="dt" sx={term}>
          {t("inspector.hash")}
        </Box>
        <Box component="dd" sx={detail}>
          <HashText value={statement.recordId} what="recordHash" />
        </Box>
        <Box component="dt" sx={term}>
          {t("inspector.statementId")}
        </Box>
        <Box component="dd" sx={detail}>
          <HashText value={statement.id} what="statementId" />
        </Box>
      </Box>
      <Button
        size="small"
        variant="outlined"
        startIcon={<VerifiedUserIcon />}
        // Not `disabled` while running: that would drop keyboard focus to the page.
        onClick={running ? undefined : onVerify}
        aria-disabled={running}
        aria-describedby={titleId}
        data-testid="statement-verify"
        sx={{ mt: 0.5 }}
      >
        {verification && !running ? t("inspector.verifyAgain") : t("inspector.verify")}
      </Button>
      {/* Polite: the verdict is announced when it arrives, without interrupting. */}
      <Box aria-live="polite">{verification ? <VerifyResult result={verification} /> : null}</Box>
    </Box>
  );
}
