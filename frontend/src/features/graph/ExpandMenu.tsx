/**
 * The expand menu (toolbar) and the node context menu (right-click, Shift+F10, menu key):
 * choose a direction, then a relationship type (or all) to fetch neighbours; the context
 * variant adds the node actions.
 */
import { useState } from "react";
import { Divider, ListItemText, ListSubheader, Menu, MenuItem } from "@mui/material";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import type { ApiDirection } from "./api";
import { expandableEdgeTypes } from "./expandTypes";

export interface MenuTarget {
  nodeId: string;
  schema: string;
  caption: string;
  /** Page coordinates (context menu) or an element (toolbar). */
  anchor: { x: number; y: number } | HTMLElement;
  context: boolean;
  pinned: boolean;
}

export type NodeAction = "collapse" | "pin" | "remove" | "inspect" | "path";

interface Props {
  target: MenuTarget | null;
  canFindPath: boolean;
  onClose: () => void;
  onExpand: (nodeId: string, direction: ApiDirection, edgeTypes: string[] | null) => void;
  onAction: (action: NodeAction, nodeId: string) => void;
}

const DIRECTIONS: ApiDirection[] = ["BOTH", "OUT", "IN"];

export function ExpandMenu({ target, canFindPath, onClose, onExpand, onAction }: Props) {
  const app = useApp();
  const { t } = useI18n();
  const [direction, setDirection] = useState<ApiDirection>("BOTH");
  if (!target) return null;
  const types = expandableEdgeTypes(app.ontology?.ontology.edges ?? [], app.ontology?.type(target.schema), target.schema, direction);
  const anchor = target.anchor;
  const positioned = !(anchor instanceof HTMLElement);
  const expand = (edgeTypes: string[] | null) => {
    onClose();
    onExpand(target.nodeId, direction, edgeTypes);
  };
  const act = (action: NodeAction) => {
    onClose();
    onAction(action, target.nodeId);
  };

  return (
    <Menu
      open
      onClose={onClose}
      {...(positioned
        ? { anchorReference: "anchorPosition" as const, anchorPosition: { top: anchor.y, left: anchor.x } }
        : { anchorEl: anchor })}
      slotProps={{ list: { "aria-label": t(target.context ? "graph.menu.contextLabel" : "graph.menu.expandLabel", { name: target.caption }), dense: true } }}
      data-testid={target.context ? "graph-context-menu" : "graph-expand-menu"}
    >
      <ListSubheader aria-hidden role="presentation" sx={{ lineHeight: "32px" }}>
        {t("graph.menu.direction")}
      </ListSubheader>
      {DIRECTIONS.map((value) => (
        <MenuItem
          key={value}
          role="menuitemradio"
          aria-checked={direction === value}
          aria-label={`${t("graph.menu.direction")}: ${t(`graph.direction.${value}`)}`}
          onClick={() => setDirection(value)}
          data-testid={`graph-direction-${value.toLowerCase()}`}
        >
          <ListItemText inset={direction !== value}>
            {direction === value ? "✓ " : ""}
            {t(`graph.direction.${value}`)}
          </ListItemText>
        </MenuItem>
      ))}
      <Divider />
      <ListSubheader aria-hidden role="presentation" sx={{ lineHeight: "32px" }}>
        {t("graph.menu.expandBy")}
      </ListSubheader>
      <MenuItem onClick={() => expand(null)} data-testid="graph-expand-all">
        {t("graph.menu.allTypes")}
      </MenuItem>
      {types.map((type) => (
        <MenuItem key={type.name} onClick={() => expand([type.name])} data-testid="graph-expand-type" data-edge-type={type.name}>
          {type.label}
        </MenuItem>
      ))}
      {target.context && <Divider />}
      {target.context && (
        <MenuItem onClick={() => act("inspect")}>{t("graph.action.inspect")}</MenuItem>
      )}
      {target.context && <MenuItem onClick={() => act("collapse")}>{t("graph.action.collapse")}</MenuItem>}
      {target.context && <MenuItem onClick={() => act("pin")}>{t(target.pinned ? "graph.action.unpin" : "graph.action.pin")}</MenuItem>}
      {target.context && canFindPath && <MenuItem onClick={() => act("path")}>{t("graph.action.path")}</MenuItem>}
      {target.context && <MenuItem onClick={() => act("remove")}>{t("graph.action.remove")}</MenuItem>}
    </Menu>
  );
}
