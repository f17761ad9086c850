/**
 * The UI's shared state: who is signed in, under which purpose and authority, what is
 * selected and inspected, and which classifications are on screen. Features read and change
 * it through {@link useApp}; nothing else is global.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { call, onSessionEnded, setRequestContext } from "../api/client";
import { closeSubscriptions } from "../api/subscriptions";
import { clearSession, loadSession, logout, refreshDelay, refreshEmbedded, saveSession, type Session } from "../auth/session";
import type { Locale } from "../i18n";
import { indexOntology, type OntologyIndex } from "./ontology";
import type { ClassificationMark, Ontology, View, Viewer } from "./types";

export interface Notice {
  id: number;
  message: string;
  severity: "info" | "success" | "warning" | "error";
  action?: { label: string; run: () => void };
}

export interface GraphRequest {
  ids: string[];
  /** Increases with every request, so opening the same ids twice is still a request. */
  seq: number;
  /** Replace the canvas (open) or add to it (add). */
  mode: "open" | "add";
}

export interface AppState {
  session: Session | null;
  sessionExpired: boolean;
  viewer: Viewer | null;
  ontology: OntologyIndex | null;
  purpose: string | null;
  authority: string | null;
  safeMode: boolean;
  locale: Locale;
  view: View;
  selection: string[];
  inspected: string | null;
  graphRequest: GraphRequest | null;
  /** The highest classification any region reports, or null when nothing is shown. */
  highestClassification: ClassificationMark | null;
  notices: Notice[];
}

export interface AppActions {
  signIn: (session: Session) => void;
  signOut: () => Promise<void>;
  setPurpose: (purpose: string | null) => void;
  setAuthority: (authority: string | null) => void;
  setSafeMode: (on: boolean) => void;
  setLocale: (locale: Locale) => void;
  navigate: (view: View) => void;
  select: (ids: string[]) => void;
  inspect: (id: string | null) => void;
  openInGraph: (ids: string[], mode?: "open" | "add") => void;
  /** A screen region says which classifications it currently shows (empty to clear). */
  reportClassifications: (region: string, marks: ClassificationMark[]) => void;
  notify: (notice: Omit<Notice, "id">) => void;
  dismiss: (id: number) => void;
  reloadViewer: () => Promise<void>;
}

export type App = AppState & AppActions;

const AppContext = createContext<App | null>(null);

const PREFS = "intelgraph.prefs";

interface Prefs {
  purpose: string | null;
  authority: string | null;
  safeMode: boolean;
  locale: Locale | null;
}

function loadPrefs(): Prefs {
  try {
    const raw = sessionStorage.getItem(PREFS);
    if (raw) return { purpose: null, authority: null, safeMode: false, locale: null, ...(JSON.parse(raw) as Partial<Prefs>) };
  } catch {
    // unreadable preferences are not worth an error
  }
  return { purpose: null, authority: null, safeMode: false, locale: null };
}

function viewFromHash(): View {
  const name = window.location.hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return name === "graph" || name === "table" || name === "ingest" ? name : "search";
}

/** The highest mark among all regions; ties keep the first name. */
export function highestMark(regions: Iterable<ClassificationMark[]>): ClassificationMark | null {
  let best: ClassificationMark | null = null;
  for (const marks of regions) for (const mark of marks) if (!best || mark.level > best.level) best = mark;
  return best;
}

export function AppProvider({ initialLocale, children }: { initialLocale: Locale; children: ReactNode }) {
  const prefs = useMemo(loadPrefs, []);
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [sessionExpired, setSessionExpired] = useState(false);
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [ontology, setOntology] = useState<OntologyIndex | null>(null);
  const [purpose, setPurposeState] = useState<string | null>(prefs.purpose);
  const [authority, setAuthorityState] = useState<string | null>(prefs.authority);
  const [safeMode, setSafeModeState] = useState(prefs.safeMode);
  const [locale, setLocaleState] = useState<Locale>(prefs.locale ?? initialLocale);
  const [view, setView] = useState<View>(viewFromHash);
  const [selection, setSelection] = useState<string[]>([]);
  const [inspected, setInspected] = useState<string | null>(null);
  const [graphRequest, setGraphRequest] = useState<GraphRequest | null>(null);
  const [regions, setRegions] = useState<Map<string, ClassificationMark[]>>(new Map());
  const [notices, setNotices] = useState<Notice[]>([]);
  const noticeSeq = useRef(0);
  const graphSeq = useRef(0);

  // Every request reads the current credential, purpose and authority from here.
  const live = useRef({ session, purpose, authority });
  const contextInstalled = useRef(false);
  live.current = { session, purpose, authority };
  // Installed during render, before any child mounts: children's effects run before this
  // component's, and a request sent without the token would end the session on a reload.
  if (!contextInstalled.current) {
    contextInstalled.current = true;
    setRequestContext(() => ({
      token: live.current.session?.accessToken ?? null,
      purpose: live.current.purpose,
      authority: live.current.authority,
    }));
  }

  useEffect(() => {
    sessionStorage.setItem(PREFS, JSON.stringify({ purpose, authority, safeMode, locale }));
  }, [purpose, authority, safeMode, locale]);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  useEffect(() => {
    const onHash = () => setView(viewFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const endSession = useCallback(() => {
    clearSession();
    closeSubscriptions();
    setSession(null);
    setViewer(null);
  }, []);

  useEffect(
    () =>
      onSessionEnded(() => {
        if (live.current.session) setSessionExpired(true);
        endSession();
      }),
    [endSession],
  );

  // Refresh embedded sessions shortly before the access token expires.
  useEffect(() => {
    if (!session || session.kind !== "embedded" || !session.refreshToken) return;
    const timer = window.setTimeout(() => {
      refreshEmbedded(session)
        .then((next) => {
          saveSession(next);
          setSession(next);
        })
        .catch(() => {
          setSessionExpired(true);
          endSession();
        });
    }, refreshDelay(session));
    return () => window.clearTimeout(timer);
  }, [session, endSession]);

  // External sessions simply end at expiry, with the same clear message.
  useEffect(() => {
    if (!session || session.kind !== "oidc") return;
    const timer = window.setTimeout(() => {
      setSessionExpired(true);
      endSession();
    }, Math.max(0, session.expiresAt - Date.now()));
    return () => window.clearTimeout(timer);
  }, [session, endSession]);

  const reloadViewer = useCallback(async () => {
    const me = await call<{ me: Viewer }>("Me");
    setViewer(me.me);
  }, []);

  // The viewer's rights depend on the purpose and authority; the ontology does not, and a
  // token refresh changes neither: read it once per sign-in.
  const signedIn = session !== null;
  useEffect(() => {
    if (!signedIn) return;
    reloadViewer().catch(() => undefined); // a session error already signs out
  }, [signedIn, purpose, authority, reloadViewer]);

  useEffect(() => {
    if (!signedIn) return;
    call<{ ontology: Ontology }>("Ontology")
      .then((info) => setOntology(indexOntology(info.ontology)))
      .catch(() => undefined);
  }, [signedIn]);

  const actions: AppActions = useMemo(
    () => ({
      signIn(next) {
        saveSession(next);
        setSessionExpired(false);
        setSession(next);
      },
      async signOut() {
        await logout();
        setSessionExpired(false);
        endSession();
      },
      setPurpose(next) {
        closeSubscriptions();
        setPurposeState(next);
      },
      setAuthority(next) {
        closeSubscriptions();
        setAuthorityState(next);
      },
      setSafeMode: setSafeModeState,
      setLocale: setLocaleState,
      navigate(next) {
        window.location.hash = `#/${next}`;
        setView(next);
      },
      select: setSelection,
      inspect: setInspected,
      openInGraph(ids, mode = "open") {
        graphSeq.current += 1;
        setGraphRequest({ ids, seq: graphSeq.current, mode });
        window.location.hash = "#/graph";
        setView("graph");
      },
      reportClassifications(region, marks) {
        setRegions((current) => {
          const next = new Map(current);
          if (marks.length) next.set(region, marks);
          else next.delete(region);
          return next;
        });
      },
      notify(notice) {
        noticeSeq.current += 1;
        const id = noticeSeq.current;
        setNotices((current) => [...current.slice(-4), { ...notice, id }]);
      },
      dismiss(id) {
        setNotices((current) => current.filter((notice) => notice.id !== id));
      },
      reloadViewer,
    }),
    [endSession, reloadViewer],
  );

  const highestClassification = useMemo(() => highestMark(regions.values()), [regions]);

  const value: App = {
    session,
    sessionExpired,
    viewer,
    ontology,
    purpose,
    authority,
    safeMode,
    locale,
    view,
    selection,
    inspected,
    graphRequest,
    highestClassification,
    notices,
    ...actions,
  };
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useApp(): App {
  const app = useContext(AppContext);
  if (!app) throw new Error("useApp outside AppProvider");
  return app;
}
