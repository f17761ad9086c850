/**
 * The Search view: build a search (words and filters), narrow it by facets, page through
 * the hits, select some and send them to the graph, the table or an export. The search
 * lives in the URL hash so it can be linked, reloaded and reached with Back.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { Alert, Box, Button, LinearProgress, Stack, Typography } from "@mui/material";
import BookmarkAddIcon from "@mui/icons-material/BookmarkAddOutlined";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { onGraphChange } from "../realtime/bus";
import { ChangeNotice } from "./ChangeNotice";
import { marksOf } from "./display";
import { FacetPanel } from "./FacetPanel";
import { FilterChips } from "./FilterChips";
import { decodeSearchHash, encodeSearchHash } from "./hash";
import { initialRequest, pageNumber, reducePaging } from "./paging";
import { ResultsPager } from "./ResultsPager";
import { ResultsTable } from "./ResultsTable";
import { SaveSearchDialog } from "./SavedSearchDialogs";
import { SavedSearchList } from "./SavedSearchList";
import { SearchBuilder } from "./SearchBuilder";
import { SelectionActions } from "./SelectionActions";
import { chipsOf, EMPTY_SPEC, isRunnable, reduceSpec, sameSpec, type Chip, type ListFacet, type SearchSpec, type SpecAction } from "./spec";
import { useBuilderChoices, useSources } from "./useSearchChoices";
import { useSavedSearches, type SavedSearch } from "./useSavedSearches";
import { useSearchResults } from "./useSearchResults";

/** The last search of this tab, so leaving the view and coming back keeps it. */
let remembered: { spec: SearchSpec; pageSize: number } | null = null;

function startingSpec(): SearchSpec {
  return reduceSpec(EMPTY_SPEC, { type: "replace", spec: decodeSearchHash(window.location.hash) ?? remembered?.spec ?? EMPTY_SPEC });
}

/** The search selection, kept while the user visits other views. */
let rememberedSelection: string[] = [];

export function SearchView() {
  const app = useApp();
  const { t, date } = useI18n();
  const [spec, dispatch] = useReducer(reduceSpec, undefined, startingSpec);
  const [draft, setDraft] = useState(spec.query);
  const [request, page] = useReducer(reducePaging, undefined, () => initialRequest(spec, remembered?.pageSize ?? 20));
  const results = useSearchResults(request);
  const saved = useSavedSearches();
  const sources = useSources();
  const [saving, setSaving] = useState(false);
  const [stale, setStale] = useState(false);

  // A changed search starts again at its first page.
  useEffect(() => {
    if (!sameSpec(spec, request.spec)) page({ type: "run", spec });
  }, [spec, request.spec]);

  // The URL follows the search; Back and pasted links lead the search.
  const specRef = useRef(spec);
  specRef.current = spec;
  useEffect(() => {
    remembered = { spec, pageSize: request.first };
    const shown = decodeSearchHash(window.location.hash);
    if (shown && sameSpec(shown, spec)) return;
    const hash = encodeSearchHash(spec);
    if (shown) window.location.hash = hash;
    else window.history.replaceState(window.history.state, "", hash);
  }, [spec, request.first]);
  useEffect(() => {
    const onHash = () => {
      const linked = decodeSearchHash(window.location.hash);
      if (linked && !sameSpec(linked, specRef.current)) {
        dispatch({ type: "replace", spec: linked });
        setDraft(linked.query);
      } else if (!linked && /^#\/?search$/.test(window.location.hash)) {
        // The bare view link (the nav tab) keeps the search shown: make the URL say so.
        window.history.replaceState(window.history.state, "", encodeSearchHash(specRef.current));
      }
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  // Changing a filter also takes the words typed so far.
  const change = useCallback(
    (action: SpecAction) => {
      dispatch({ type: "setQuery", query: draft });
      dispatch(action);
    },
    [draft],
  );
  const submit = () => {
    const next = reduceSpec(spec, { type: "setQuery", query: draft });
    if (sameSpec(next, request.spec)) page({ type: "refresh" });
    else dispatch({ type: "setQuery", query: draft });
  };
  const runSaved = (item: SavedSearch) => {
    dispatch({ type: "replace", spec: item.spec });
    setDraft(item.spec.query);
    if (sameSpec(item.spec, request.spec)) page({ type: "refresh" });
  };

  // Another purpose or authority can see other things: ask again, same page.
  const context = `${app.purpose ?? ""}\n${app.authority ?? ""}`;
  const askedUnder = useRef(context);
  useEffect(() => {
    if (askedUnder.current === context) return;
    askedUnder.current = context;
    page({ type: "refresh" });
    saved.reload();
  }, [context, saved.reload]);

  const hits = useMemo(() => results.page?.hits ?? [], [results.page]);
  const hitsRef = useRef(hits.length);
  hitsRef.current = hits.length;
  useEffect(() => onGraphChange(() => {
    if (hitsRef.current > 0) setStale(true);
  }), []);
  useEffect(() => setStale(false), [results.answered]);

  const { reportClassifications } = app;
  useEffect(() => reportClassifications("search", marksOf(hits.map((hit) => hit.node))), [hits, reportClassifications]);
  useEffect(() => () => reportClassifications("search", []), [reportClassifications]);

  // Search keeps its own selection (collected across searches): the graph selects too, and its
  // selection must not become what "Add to graph" here adds. The app hears of every change.
  const [picked, setPicked] = useState<string[]>(() => rememberedSelection);
  const pick = (ids: string[]) => {
    rememberedSelection = ids;
    setPicked(ids);
    app.select(ids);
  };
  const selected = useMemo(() => new Set(picked), [picked]);
  const toggle = (id: string) => pick(selected.has(id) ? picked.filter((other) => other !== id) : [...picked, id]);
  const toggleAll = (ids: string[], on: boolean) => {
    const set = new Set(picked);
    for (const id of ids) if (on) set.add(id);
    else set.delete(id);
    pick([...set]);
  };
  const pageIds = hits.map((hit) => hit.node.id);
  const actionIds = picked.length ? picked : pageIds;

  const viewerCompartments = useMemo(() => app.viewer?.compartments ?? [], [app.viewer]);
  const chosenTypes = useMemo(() => spec.filter.types ?? [], [spec.filter.types]);
  const choices = useBuilderChoices(app.ontology, sources, results.facets, viewerCompartments, chosenTypes);
  const labelOf = useCallback(
    (facet: ListFacet, value: string): string => {
      const known = choices[facet].find((choice) => choice.value === value);
      if (known) return known.label;
      return facet === "classifications" ? value.replace(/_/g, " ") : value;
    },
    [choices],
  );
  const describe = (chip: Chip): string => {
    switch (chip.kind) {
      case "property": {
        const label = choices.properties.find((choice) => choice.value === chip.name)?.label ?? chip.name;
        return t("search.chip.property", { name: label, value: chip.value });
      }
      case "seenAfter":
      case "seenBefore":
        // The bound is a UTC day: show that day, not its instant in the local zone.
        return t(`search.chip.${chip.kind}`, { date: date(`${chip.value.slice(0, 10)}T00:00:00`) });
      default:
        return t(`search.chip.${chip.kind}`, { value: labelOf(chip.kind, chip.value) });
    }
  };

  const runnable = isRunnable(spec);
  const loading = results.loading;
  const summary = !runnable
    ? ""
    : loading && !results.page
      ? t("search.searching")
      : results.page
        ? results.page.totalIsCapped
          ? t("search.countCapped", { count: results.page.totalCount })
          : t(results.page.totalCount === 1 ? "search.countOne" : "search.count", { count: results.page.totalCount })
        : "";

  return (
    <Box data-testid="search-view" sx={{ containerType: "inline-size" }}>
      <Stack direction="row" sx={{ alignItems: "center", mb: 1, gap: 1 }}>
        <Typography variant="h5" component="h2" sx={{ flex: 1 }}>
          {t("search.title")}
        </Typography>
        <Button
          variant="outlined"
          startIcon={<BookmarkAddIcon aria-hidden />}
          onClick={() => setSaving(true)}
          disabled={!isRunnable(reduceSpec(spec, { type: "setQuery", query: draft }))}
          data-testid="saved-search-save"
        >
          {t("search.saved.save")}
        </Button>
      </Stack>
      <SearchBuilder draft={draft} onDraft={setDraft} onSubmit={submit} spec={spec} change={change} choices={choices} />
      <FilterChips
        chips={chipsOf(spec.filter)}
        describe={describe}
        onRemove={(chip) => change({ type: "removeChip", chip })}
        onClear={() => change({ type: "clearFilters" })}
      />
      {/* Two columns when the view (not the window: the inspector takes room) is wide enough. */}
      <Box
        sx={{
          display: "grid",
          gridTemplateColumns: "minmax(0, 1fr)",
          gap: 3,
          mt: 2,
          "@container (min-width: 760px)": { gridTemplateColumns: "minmax(180px, 240px) minmax(0, 1fr)" },
        }}
      >
        <Box component="aside" aria-label={t("search.side")}>
          <SavedSearchList
            saved={saved}
            onRun={runSaved}
            onDeleted={(name) => app.notify({ message: t("search.saved.deleted", { name }), severity: "success" })}
            onError={(message) => app.notify({ message: t("common.error", { message }), severity: "error" })}
          />
          <FacetPanel facets={runnable ? results.facets : null} filter={spec.filter} labelOf={labelOf} onToggle={(facet, value) => change({ type: "toggle", facet, value })} />
        </Box>
        <Box component="section" aria-labelledby="search-results-heading" sx={{ minWidth: 0 }}>
          <Stack direction="row" sx={{ alignItems: "baseline", gap: 2, flexWrap: "wrap" }}>
            <Typography id="search-results-heading" variant="subtitle1" component="h3" sx={{ fontWeight: 700 }}>
              {t("search.results")}
            </Typography>
            <Typography variant="body2" role="status" data-testid="search-count">
              {summary}
            </Typography>
          </Stack>
          <ChangeNotice stale={stale} onRefresh={() => page({ type: "refresh" })} />
          <Box sx={{ height: 4, my: 0.5 }}>{loading ? <LinearProgress aria-label={t("search.searching")} /> : null}</Box>
          {results.error ? (
            <Alert
              severity="error"
              data-testid="search-error"
              action={
                <Button color="inherit" size="small" onClick={() => page({ type: "refresh" })}>
                  {t("common.retry")}
                </Button>
              }
            >
              <strong>{results.error.message}</strong>
              {results.error.hint ? <Box component="span" sx={{ display: "block" }}>{results.error.hint}</Box> : null}
            </Alert>
          ) : null}
          {!runnable ? (
            <Typography color="text.secondary" sx={{ mt: 2 }} data-testid="search-idle">
              {t("search.idle")}
            </Typography>
          ) : results.page && hits.length === 0 && !loading ? (
            <Box sx={{ mt: 2 }} data-testid="search-empty">
              <Typography>{t("search.empty")}</Typography>
              <Typography variant="body2" color="text.secondary">
                {t("search.emptyHelp")}
              </Typography>
            </Box>
          ) : null}
          {runnable && hits.length > 0 ? (
            <>
              <SelectionActions
                ids={actionIds}
                fromSelection={picked.length > 0}
                selectedCount={picked.length}
                onOpen={() => app.openInGraph(actionIds, "open")}
                onAdd={() => app.openInGraph(actionIds, "add")}
                onTable={() => {
                  app.select(actionIds);
                  app.navigate("table");
                }}
                onClearSelection={() => pick([])}
              />
              <ResultsTable
                hits={hits}
                selected={selected}
                onToggle={toggle}
                onToggleAll={toggleAll}
                onInspect={(id) => app.inspect(id)}
                ontology={app.ontology}
                safeMode={app.safeMode}
                busy={loading}
              />
            </>
          ) : null}
          {runnable && results.page && (hits.length > 0 || pageNumber(request) > 1) ? (
            <ResultsPager
              page={pageNumber(request)}
              pageSize={request.first}
              hasPrevious={pageNumber(request) > 1}
              hasNext={results.page.hasNextPage && results.page.endCursor !== null}
              busy={loading}
              onPageSize={(first) => page({ type: "pageSize", first })}
              onPrevious={() => page({ type: "previous" })}
              onNext={() => {
                if (results.page?.endCursor) page({ type: "next", endCursor: results.page.endCursor });
              }}
            />
          ) : null}
        </Box>
      </Box>
      <SaveSearchDialog
        open={saving}
        existingNames={saved.items.map((item) => item.name)}
        initialName={spec.query.trim() || draft.trim()}
        onSave={async (name) => {
          const current = reduceSpec(spec, { type: "setQuery", query: draft });
          await saved.save(name, current);
          app.notify({ message: t("search.saved.savedNotice", { name }), severity: "success" });
        }}
        onClose={() => setSaving(false)}
      />
    </Box>
  );
}
