/** The language menu: in the app bar and on the sign-in page. */
import { MenuItem, TextField } from "@mui/material";
import { LOCALES, useI18n, type Locale } from "../i18n";
import { useApp } from "../state/app";

export function LanguageSelect() {
  const app = useApp();
  const { t } = useI18n();
  return (
    <TextField
      select
      size="small"
      label={t("nav.language")}
      value={app.locale}
      onChange={(event) => app.setLocale(event.target.value as Locale)}
      sx={{ minWidth: 140, "& .MuiInputBase-root": { bgcolor: "background.paper" } }}
    >
      {LOCALES.map((locale) => (
        <MenuItem key={locale} value={locale} lang={locale}>
          {t(`locale.${locale}`)}
        </MenuItem>
      ))}
    </TextField>
  );
}
