/** Chooses the table's columns; the entity column always shows (it names the row). */
import { useState } from "react";
import { Button, Divider, ListItemIcon, ListItemText, Menu, MenuItem } from "@mui/material";
import ViewColumnIcon from "@mui/icons-material/ViewColumn";
import CheckIcon from "@mui/icons-material/Check";
import { useI18n } from "../../i18n";

export interface PickableColumn {
  id: string;
  label: string;
}

interface Props {
  columns: readonly PickableColumn[];
  visible: readonly string[];
  onChange: (visible: string[]) => void;
  onDefaults: () => void;
}

export const ALWAYS_SHOWN = "caption";

export function ColumnPicker({ columns, visible, onChange, onDefaults }: Props) {
  const { t } = useI18n();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const shown = new Set(visible);
  const toggle = (id: string) => {
    if (id === ALWAYS_SHOWN) return;
    // Keep the columns' own order whatever order they were ticked in.
    onChange(columns.map((column) => column.id).filter((other) => (other === id ? !shown.has(id) : shown.has(other))));
  };
  return (
    <>
      <Button
        variant="outlined"
        startIcon={<ViewColumnIcon aria-hidden />}
        onClick={(event) => setAnchor(event.currentTarget)}
        aria-haspopup="menu"
        aria-expanded={anchor ? "true" : undefined}
        aria-controls={anchor ? "table-columns-menu" : undefined}
        data-testid="table-columns"
      >
        {t("table.columns", { shown: visible.length, total: columns.length })}
      </Button>
      <Menu
        id="table-columns-menu"
        anchorEl={anchor}
        open={anchor !== null}
        onClose={() => setAnchor(null)}
        slotProps={{ list: { "aria-label": t("table.columnsMenu"), dense: true }, paper: { sx: { maxHeight: 420 } } }}
      >
        {columns.map((column) => {
          const on = shown.has(column.id);
          return (
            <MenuItem
              key={column.id}
              role="menuitemcheckbox"
              aria-checked={on}
              disabled={column.id === ALWAYS_SHOWN}
              onClick={() => toggle(column.id)}
              data-testid={`table-column-${column.id}`}
            >
              <ListItemIcon>{on ? <CheckIcon fontSize="small" aria-hidden /> : null}</ListItemIcon>
              <ListItemText>{column.label}</ListItemText>
            </MenuItem>
          );
        })}
        <Divider />
        <MenuItem onClick={() => onChange(columns.map((column) => column.id))}>
          <ListItemIcon />
          <ListItemText>{t("table.columnsAll")}</ListItemText>
        </MenuItem>
        <MenuItem onClick={onDefaults}>
          <ListItemIcon />
          <ListItemText>{t("table.columnsDefault")}</ListItemText>
        </MenuItem>
      </Menu>
    </>
  );
}
