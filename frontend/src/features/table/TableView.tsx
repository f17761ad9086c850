/**
 * The Table view: the selected entities side by side, one column per property, to compare,
 * sort, filter and take away as CSV (exactly the rows and columns on screen, markers and
 * masks included).
 */
import { useEffect, useMemo, useState } from "react";
import { Alert, Box, Button, InputAdornment, LinearProgress, Stack, TextField, Typography } from "@mui/material";
import FileDownloadIcon from "@mui/icons-material/FileDownload";
import FilterListIcon from "@mui/icons-material/FilterList";
import RefreshIcon from "@mui/icons-material/Refresh";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { ExportButton } from "../exports/ExportButton";
import { marksOf, highestMark } from "../search/display";
import { ColumnPicker } from "./ColumnPicker";
import { csvFileName, toCsv } from "./csv";
import { EntityTable, ROWS_PER_PAGE, type Sort } from "./EntityTable";
import { buildRow, cellCsv, defaultVisible, filterRows, FIXED_COLUMNS, propertyColumns, sortRows } from "./rows";
import { useTableEntities } from "./useTableEntities";

/** The analyst's column choice and sort, kept while they visit other views. */
let remembered: { visible: string[] | null; sort: Sort | null; rowsPerPage: number } = { visible: null, sort: null, rowsPerPage: 50 };

function download(text: string, name: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function TableView() {
  const app = useApp();
  const { t, dateTime, locale } = useI18n();
  const ids = useMemo(() => [...new Set(app.selection)], [app.selection]);
  const { entities, missing, loading, error, reload } = useTableEntities(ids, `${app.purpose ?? ""}\n${app.authority ?? ""}`);
  const [filter, setFilter] = useState("");
  const [chosen, setChosen] = useState<string[] | null>(remembered.visible);
  const [sort, setSort] = useState<Sort | null>(remembered.sort);
  const [page, setPage] = useState(0);
  const [rowsPerPage, setRowsPerPage] = useState(remembered.rowsPerPage);
  useEffect(() => {
    remembered = { visible: chosen, sort, rowsPerPage };
  }, [chosen, sort, rowsPerPage]);

  const properties = useMemo(() => propertyColumns(entities, app.ontology), [entities, app.ontology]);
  const allColumns = useMemo(
    () => [...FIXED_COLUMNS.map((id) => ({ id, label: t(`table.col.${id}`) })), ...properties.map(({ id, label }) => ({ id, label }))],
    [properties, t],
  );
  const visibleIds = useMemo(() => {
    const known = new Set(allColumns.map((column) => column.id));
    const wanted = chosen ?? defaultVisible(properties);
    return ["caption", ...wanted.filter((id) => id !== "caption" && known.has(id))];
  }, [chosen, properties, allColumns]);
  const columns = useMemo(() => allColumns.filter((column) => visibleIds.includes(column.id)), [allColumns, visibleIds]);

  const rows = useMemo(
    () => entities.map((entity) => buildRow(entity, properties, { ontology: app.ontology, safeMode: app.safeMode, formatDateTime: dateTime })),
    [entities, properties, app.ontology, app.safeMode, dateTime],
  );
  const words = useMemo(() => ({ withheld: t("common.withheld"), masked: t("common.masked") }), [t]);
  const visibleRows = useMemo(() => {
    const kept = filterRows(rows, visibleIds, filter, words, locale);
    return sort && visibleIds.includes(sort.column) ? sortRows(kept, sort.column, sort.direction, locale) : kept;
  }, [rows, visibleIds, filter, words, locale, sort]);
  useEffect(() => setPage(0), [filter, sort, rowsPerPage, ids]);

  const { reportClassifications } = app;
  useEffect(() => reportClassifications("table", marksOf(entities)), [entities, reportClassifications]);
  useEffect(() => () => reportClassifications("table", []), [reportClassifications]);

  const onSort = (column: string) =>
    setSort((current) =>
      current?.column === column ? { column, direction: current.direction === "ascending" ? "descending" : "ascending" } : { column, direction: "ascending" },
    );

  const downloadCsv = () => {
    const header = columns.map((column) => column.label);
    const body = visibleRows.map((row) => columns.map((column) => cellCsv(row.cells[column.id])));
    download(toCsv(header, body), csvFileName(new Date(), highestMark(entities.flatMap((entity) => entity.labels))?.name));
    app.notify({ message: t(visibleRows.length === 1 ? "table.csvDoneOne" : "table.csvDone", { count: visibleRows.length }), severity: "success" });
  };

  return (
    <Box data-testid="table-view">
      <Stack direction="row" sx={{ alignItems: "center", gap: 1, mb: 1, flexWrap: "wrap" }}>
        <Typography id="table-heading" variant="h5" component="h2" sx={{ flex: 1 }}>
          {t("table.title")}
        </Typography>
        {ids.length ? (
          <Button startIcon={<RefreshIcon aria-hidden />} onClick={reload} disabled={loading} data-testid="table-reload">
            {t("table.reload")}
          </Button>
        ) : null}
      </Stack>
      {!ids.length ? (
        <Box data-testid="table-empty" sx={{ maxWidth: 640 }}>
          <Typography>{t("table.empty")}</Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {t("table.emptyHelp")}
          </Typography>
          <Button variant="outlined" sx={{ mt: 2 }} onClick={() => app.navigate("search")}>
            {t("table.goSearch")}
          </Button>
        </Box>
      ) : (
        <>
          <Box role="toolbar" aria-label={t("table.tools")} sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center", mb: 1 }}>
            <TextField
              size="small"
              type="search"
              label={t("table.filter")}
              value={filter}
              onChange={(event) => setFilter(event.target.value)}
              slotProps={{
                htmlInput: { "data-testid": "table-filter" },
                input: {
                  startAdornment: (
                    <InputAdornment position="start">
                      <FilterListIcon fontSize="small" aria-hidden />
                    </InputAdornment>
                  ),
                },
              }}
              sx={{ minWidth: 260 }}
            />
            <ColumnPicker columns={allColumns} visible={visibleIds} onChange={setChosen} onDefaults={() => setChosen(null)} />
            <Button variant="outlined" startIcon={<FileDownloadIcon aria-hidden />} onClick={downloadCsv} disabled={!visibleRows.length} data-testid="table-csv">
              {t("table.csv")}
            </Button>
            <ExportButton ids={ids} />
          </Box>
          <Typography variant="body2" role="status" data-testid="table-count" sx={{ mb: 1 }}>
            {loading && !entities.length
              ? t("common.loading")
              : filter.trim()
                ? t("table.countFiltered", { shown: visibleRows.length, total: rows.length })
                : t(rows.length === 1 ? "table.countOne" : "table.count", { total: rows.length })}
            {missing ? ` ${t(missing === 1 ? "table.missingOne" : "table.missing", { count: missing })}` : ""}
          </Typography>
          <Box sx={{ height: 4, mb: 0.5 }}>{loading ? <LinearProgress aria-label={t("common.loading")} /> : null}</Box>
          {error ? (
            <Alert
              severity="error"
              sx={{ mb: 1 }}
              action={
                <Button color="inherit" size="small" onClick={reload}>
                  {t("common.retry")}
                </Button>
              }
            >
              <strong>{error.message}</strong>
              {error.hint ? <Box component="span" sx={{ display: "block" }}>{error.hint}</Box> : null}
            </Alert>
          ) : null}
          {rows.length > 0 && visibleRows.length === 0 ? (
            <Typography color="text.secondary" sx={{ my: 2 }} data-testid="table-no-match">
              {t("table.noMatch")}
            </Typography>
          ) : null}
          {visibleRows.length > 0 ? (
            <EntityTable
              rows={visibleRows}
              columns={columns}
              sort={sort && visibleIds.includes(sort.column) ? sort : null}
              onSort={onSort}
              page={page}
              rowsPerPage={ROWS_PER_PAGE.includes(rowsPerPage) ? rowsPerPage : 50}
              onPage={setPage}
              onRowsPerPage={setRowsPerPage}
              onInspect={(id) => app.inspect(id)}
            />
          ) : null}
        </>
      )}
    </Box>
  );
}
