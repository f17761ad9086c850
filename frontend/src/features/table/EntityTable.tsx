/** The rows on screen: sortable headers (aria-sort on the sorted one), paged for long selections. */
import { Button, Table, TableBody, TableCell, TableContainer, TableHead, TablePagination, TableRow, TableSortLabel } from "@mui/material";
import { useI18n } from "../../i18n";
import { ClassificationChip } from "../search/ClassificationChip";
import { CellView } from "./CellView";
import type { Direction, Row } from "./rows";

export interface Sort {
  column: string;
  direction: Direction;
}

interface Props {
  rows: Row[];
  columns: { id: string; label: string }[];
  sort: Sort | null;
  onSort: (column: string) => void;
  page: number;
  rowsPerPage: number;
  onPage: (page: number) => void;
  onRowsPerPage: (size: number) => void;
  onInspect: (id: string) => void;
}

export const ROWS_PER_PAGE = [25, 50, 100, 250];

/** Short fields stay on one line; long values wrap between words, within a readable width. */
function cellSx(column: string) {
  if (column === "type" || column === "classification" || column === "firstObserved" || column === "lastObserved")
    return { verticalAlign: "top", whiteSpace: "nowrap" } as const;
  return { verticalAlign: "top", minWidth: column === "caption" ? 200 : 150, maxWidth: 360, overflowWrap: "break-word" } as const;
}

export function EntityTable({ rows, columns, sort, onSort, page, rowsPerPage, onPage, onRowsPerPage, onInspect }: Props) {
  const { t } = useI18n();
  const shown = rows.slice(page * rowsPerPage, (page + 1) * rowsPerPage);
  return (
    <>
      <TableContainer sx={{ maxHeight: "calc(100vh - 300px)", minHeight: 200 }}>
        <Table size="small" stickyHeader aria-labelledby="table-heading" data-testid="table-grid">
          <TableHead>
            <TableRow>
              {columns.map((column) => {
                const active = sort?.column === column.id;
                return (
                  <TableCell key={column.id} aria-sort={active ? sort.direction : undefined} sx={{ whiteSpace: "nowrap", fontWeight: 700 }}>
                    <TableSortLabel
                      active={active}
                      direction={active && sort.direction === "descending" ? "desc" : "asc"}
                      onClick={() => onSort(column.id)}
                      data-testid={`table-sort-${column.id}`}
                    >
                      {column.label}
                    </TableSortLabel>
                  </TableCell>
                );
              })}
            </TableRow>
          </TableHead>
          <TableBody>
            {shown.map((row) => (
              <TableRow key={row.id} hover data-testid="table-row" data-entity-id={row.id}>
                {columns.map((column) => {
                  const cell = row.cells[column.id];
                  let content;
                  if (column.id === "caption" && cell?.kind === "value")
                    content = (
                      <Button
                        size="small"
                        onClick={() => onInspect(row.id)}
                        aria-label={t("table.inspect", { caption: cell.text })}
                        sx={{ textTransform: "none", p: 0, minWidth: 0, textAlign: "left", justifyContent: "flex-start", fontWeight: 600 }}
                      >
                        {cell.text}
                      </Button>
                    );
                  else if (column.id === "classification" && row.mark) content = <ClassificationChip mark={row.mark} />;
                  else content = <CellView cell={cell} />;
                  return (
                    <TableCell key={column.id} sx={cellSx(column.id)}>
                      {content}
                    </TableCell>
                  );
                })}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      {rows.length > ROWS_PER_PAGE[0]! ? (
        <TablePagination
          component="div"
          count={rows.length}
          page={page}
          rowsPerPage={rowsPerPage}
          rowsPerPageOptions={ROWS_PER_PAGE}
          onPageChange={(_, next) => onPage(next)}
          onRowsPerPageChange={(event) => onRowsPerPage(Number(event.target.value))}
          labelRowsPerPage={t("table.rowsPerPage")}
          labelDisplayedRows={({ from, to, count }) => t("table.displayedRows", { from, to, count })}
          getItemAriaLabel={(type) => t(`table.page.${type}`)}
        />
      ) : null}
    </>
  );
}
