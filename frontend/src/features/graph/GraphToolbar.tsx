/**
 * The graph toolbar: one Tab stop, arrow keys between controls (role="toolbar"). Every
 * button has a visible text label; shortcuts are announced with aria-keyshortcuts.
 */
import { memo, useRef, type ReactNode } from "react";
import { Box, Button, Divider, MenuItem, TextField } from "@mui/material";
import AccountTree from "@mui/icons-material/AccountTree";
import UnfoldLess from "@mui/icons-material/UnfoldLess";
import PushPin from "@mui/icons-material/PushPin";
import Delete from "@mui/icons-material/Delete";
import Route from "@mui/icons-material/Route";
import FitScreen from "@mui/icons-material/FitScreen";
import Undo from "@mui/icons-material/Undo";
import Redo from "@mui/icons-material/Redo";
import Save from "@mui/icons-material/Save";
import FolderOpen from "@mui/icons-material/FolderOpen";
import Info from "@mui/icons-material/Info";
import TableChart from "@mui/icons-material/TableChart";
import { useI18n } from "../../i18n";
import { ExportButton } from "../exports/ExportButton";
import { LAYOUTS, type LayoutName } from "./investigation";
import { useRovingToolbar } from "./useRovingToolbar";

export type ToolbarAction = "expand" | "collapse" | "pin" | "remove" | "path" | "fit" | "undo" | "redo" | "save" | "open" | "inspect" | "table";

interface Props {
  hasNodes: boolean;
  selectedCount: number;
  /** A node the single-node actions apply to (focused or last selected). */
  hasTarget: boolean;
  allPinned: boolean;
  canUndo: boolean;
  canRedo: boolean;
  layout: LayoutName;
  exportIds: string[];
  onLayout: (layout: LayoutName) => void;
  onAction: (action: ToolbarAction, anchor: HTMLElement) => void;
}

interface Tool {
  action: ToolbarAction;
  icon: ReactNode;
  label: string;
  enabled: boolean;
  keys?: string;
}

export const GraphToolbar = memo(function GraphToolbar(props: Props) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement | null>(null);
  const roving = useRovingToolbar(ref);
  const { hasNodes, selectedCount, hasTarget } = props;

  const groups: Tool[][] = [
    [
      { action: "expand", icon: <AccountTree />, label: t("graph.action.expand"), enabled: hasTarget, keys: "E" },
      { action: "collapse", icon: <UnfoldLess />, label: t("graph.action.collapse"), enabled: hasTarget, keys: "C" },
      { action: "pin", icon: <PushPin />, label: t(props.allPinned && selectedCount > 0 ? "graph.action.unpin" : "graph.action.pin"), enabled: hasTarget, keys: "P" },
      { action: "remove", icon: <Delete />, label: t("graph.action.remove"), enabled: hasTarget, keys: "Delete" },
    ],
    [
      { action: "path", icon: <Route />, label: t("graph.action.path"), enabled: selectedCount === 2 },
      { action: "fit", icon: <FitScreen />, label: t("graph.action.fit"), enabled: hasNodes, keys: "F" },
    ],
    [
      { action: "undo", icon: <Undo />, label: t("graph.action.undo"), enabled: props.canUndo, keys: "Control+Z" },
      { action: "redo", icon: <Redo />, label: t("graph.action.redo"), enabled: props.canRedo, keys: "Control+Shift+Z Control+Y" },
    ],
    [
      { action: "save", icon: <Save />, label: t("graph.action.save"), enabled: hasNodes },
      { action: "open", icon: <FolderOpen />, label: t("graph.action.open"), enabled: true },
    ],
    [
      { action: "inspect", icon: <Info />, label: t("graph.action.inspect"), enabled: hasTarget, keys: "Enter" },
      { action: "table", icon: <TableChart />, label: t("graph.action.table"), enabled: selectedCount > 0 },
    ],
  ];
  const testId = (action: ToolbarAction) => (action === "table" ? "graph-show-table" : `graph-${action}`);

  return (
    <Box
      ref={ref}
      role="toolbar"
      aria-label={t("graph.toolbar")}
      onKeyDown={roving.onKeyDown}
      onFocus={roving.onFocus}
      sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 0.5, py: 1 }}
    >
      {groups.map((group, index) => (
        <Box key={index} sx={{ display: "contents" }}>
          {index === 2 && (
            <TextField
              select
              size="small"
              label={t("graph.layout.label")}
              value={props.layout}
              onChange={(event) => props.onLayout(event.target.value as LayoutName)}
              disabled={!hasNodes}
              sx={{ minWidth: 170, mx: 0.5 }}
              slotProps={{ select: { SelectDisplayProps: { "data-testid": "graph-layout" } as object } }}
            >
              {LAYOUTS.map((layout) => (
                <MenuItem key={layout} value={layout}>
                  {t(`graph.layout.${layout}`)}
                </MenuItem>
              ))}
            </TextField>
          )}
          {group.map((tool) => (
            <Button
              key={tool.action}
              size="small"
              startIcon={tool.icon}
              disabled={!tool.enabled}
              onClick={(event) => props.onAction(tool.action, event.currentTarget)}
              data-testid={testId(tool.action)}
              aria-keyshortcuts={tool.keys}
              aria-haspopup={tool.action === "expand" ? "menu" : tool.action === "save" || tool.action === "open" ? "dialog" : undefined}
            >
              {tool.label}
            </Button>
          ))}
          {index < groups.length - 1 && <Divider orientation="vertical" flexItem sx={{ mx: 0.5 }} />}
        </Box>
      ))}
      <ExportButton ids={props.exportIds} />
    </Box>
  );
});
