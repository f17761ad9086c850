/** A long identifier shown short, whole in its title, with a button that copies it whole. */
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import { Box, IconButton } from "@mui/material";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { abbreviate } from "./model";

/** The clipboard API needs a secure context; the old selection command works elsewhere. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) return navigator.clipboard.writeText(text);
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const done = document.execCommand("copy");
  area.remove();
  if (!done) throw new Error("copy refused");
}

export function HashText({ value, what, head, tail }: { value: string; what: string; head?: number; tail?: number }) {
  const app = useApp();
  const { t } = useI18n();
  const name = t(`inspector.what.${what}`);
  const copy = () =>
    copyText(value).then(
      () => app.notify({ message: t("inspector.copied", { what: name }), severity: "success" }),
      () => app.notify({ message: t("inspector.copyFailed", { what: name }), severity: "error" }),
    );
  return (
    <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 0.25, maxWidth: "100%" }}>
      <Box component="code" title={value} sx={{ fontSize: "0.8rem", overflowWrap: "anywhere" }}>
        {abbreviate(value, head, tail)}
      </Box>
      <IconButton size="small" onClick={() => void copy()} aria-label={t("inspector.copy", { what: name })} title={t("inspector.copy", { what: name })}>
        <ContentCopyIcon fontSize="inherit" />
      </IconButton>
    </Box>
  );
}
