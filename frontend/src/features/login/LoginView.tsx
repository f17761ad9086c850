/**
 * The sign-in screen: the embedded issuer's user name and password form and, when the server
 * names an external OpenID Connect provider, a button for it. Also finishes that provider's
 * redirect back to us.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Alert, Box, Button, Divider, Paper, Stack, TextField, Typography } from "@mui/material";
import { loginEmbedded } from "../../auth/session";
import { beginLogin, issuerHost } from "../../auth/oidc";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { LanguageSelect } from "../../components/LanguageSelect";
import { FALLBACK_CONFIG, loadUiConfig, type UiConfig } from "./config";
import { takeCallback } from "./callback";
import { loginProblem, type LoginProblem } from "./errors";

type Busy = "idle" | "password" | "redirecting" | "completing";

export function LoginView() {
  const app = useApp();
  const { t } = useI18n();
  const [config, setConfig] = useState<UiConfig>(FALLBACK_CONFIG);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState<Busy>(() => (hasCallback() ? "completing" : "idle"));
  const [problem, setProblem] = useState<LoginProblem | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const signIn = app.signIn;

  useEffect(() => {
    const controller = new AbortController();
    loadUiConfig(fetch, controller.signal).then(setConfig, () => undefined);
    return () => controller.abort();
  }, []);

  // Back from the identity provider: exchange the code, then sign in.
  useEffect(() => {
    const exchange = takeCallback();
    if (!exchange) return;
    let live = true;
    setBusy("completing");
    exchange.then(
      (session) => live && signIn(session),
      (error: unknown) => {
        if (!live) return;
        setProblem(loginProblem(error));
        setBusy("idle");
      },
    );
    return () => {
      live = false;
    };
  }, [signIn]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setProblem({ key: "login.required" });
      return;
    }
    setBusy("password");
    setProblem(null);
    try {
      signIn(await loginEmbedded(username.trim(), password));
    } catch (error) {
      setProblem(loginProblem(error));
      setPassword("");
      setBusy("idle");
      passwordRef.current?.focus();
    }
  }

  async function startOidc() {
    if (!config.oidc) return;
    setBusy("redirecting");
    setProblem(null);
    try {
      window.location.assign(await beginLogin(config.oidc));
    } catch (error) {
      setProblem(loginProblem(error));
      setBusy("idle");
    }
  }

  const host = config.oidc ? issuerHost(config.oidc.issuer) : "";
  const working = busy !== "idle";

  return (
    <Box component="main" id="main" sx={{ minHeight: "100vh", display: "grid", placeItems: "center", p: 2, bgcolor: "grey.100" }}>
      <Stack spacing={2} sx={{ width: "100%", maxWidth: 400 }}>
        <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "flex-end" }}>
          <Box>
            <Typography variant="h4" component="h1" sx={{ fontWeight: 700 }}>
              {t("app.name")}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {t("login.tagline")}
            </Typography>
          </Box>
          <LanguageSelect />
        </Stack>
        <Paper variant="outlined" sx={{ p: 3 }}>
          <Typography variant="h5" component="h2" id="login-title" sx={{ mb: 2 }}>
            {t("login.title")}
          </Typography>
          {problem && (
            <Alert severity="error" role="alert" data-testid="login-error" sx={{ mb: 2 }}>
              {t(problem.key, problem.params)}
            </Alert>
          )}
          {busy === "completing" && (
            <Typography role="status" sx={{ mb: 2 }}>
              {t("login.completing")}
            </Typography>
          )}
          {config.oidc && (
            <>
              <Button
                fullWidth
                variant={config.embeddedLogin ? "outlined" : "contained"}
                onClick={() => void startOidc()}
                disabled={working}
                data-testid="login-oidc"
                sx={{ textTransform: "none" }}
              >
                {busy === "redirecting" ? t("login.oidcRedirecting", { host }) : t("login.oidc", { host })}
              </Button>
              {config.embeddedLogin ? (
                <Divider sx={{ my: 2 }}>{t("login.or")}</Divider>
              ) : (
                <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
                  {t("login.noEmbedded")}
                </Typography>
              )}
            </>
          )}
          {config.embeddedLogin && (
            <Box component="form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="login-title">
              <Stack spacing={2}>
                <TextField
                  label={t("login.username")}
                  value={username}
                  onChange={(event) => setUsername(event.target.value)}
                  autoComplete="username"
                  autoFocus
                  required
                  disabled={working}
                  slotProps={{ htmlInput: { "data-testid": "login-username", autoCapitalize: "none", spellCheck: false } }}
                />
                <TextField
                  label={t("login.password")}
                  type="password"
                  value={password}
                  onChange={(event) => setPassword(event.target.value)}
                  autoComplete="current-password"
                  required
                  disabled={working}
                  inputRef={passwordRef}
                  slotProps={{ htmlInput: { "data-testid": "login-password" } }}
                />
                <Button type="submit" variant="contained" size="large" disabled={working} data-testid="login-submit">
                  {busy === "password" ? t("login.submitting") : t("login.submit")}
                </Button>
              </Stack>
            </Box>
          )}
        </Paper>
      </Stack>
    </Box>
  );
}

function hasCallback(): boolean {
  const params = new URLSearchParams(window.location.search);
  return params.has("code") || params.has("error");
}
