/**
 * How the canvas looks: a type family (colour + shape + icon) per entity type, the
 * classification as border colour AND a text badge, labels, and the Cytoscape stylesheet.
 * Everything that carries meaning has a non-colour cue (shape, icon, text, line style).
 */
import type { StylesheetJson } from "cytoscape";
import { classificationColours } from "../../theme";
import { iconUri, type IconName } from "./icons";

export type Family =
  | "person"
  | "organization"
  | "account"
  | "address"
  | "contact"
  | "network"
  | "malware"
  | "threat"
  | "indicator"
  | "document"
  | "default";

/** Shape names are Cytoscape's. Fill is light, ink dark: the icon has ≥ 7:1 on its fill. */
export interface FamilyStyle {
  fill: string;
  ink: string;
  shape: string;
}

export const FAMILY_STYLES: Record<Family, FamilyStyle> = {
  person: { fill: "#dbeafe", ink: "#1e3a8a", shape: "ellipse" },
  organization: { fill: "#ede9fe", ink: "#4c1d95", shape: "round-rectangle" },
  account: { fill: "#dcfce7", ink: "#14532d", shape: "rectangle" },
  address: { fill: "#fef3c7", ink: "#78350f", shape: "round-diamond" },
  contact: { fill: "#cffafe", ink: "#164e63", shape: "round-tag" },
  network: { fill: "#e0e7ff", ink: "#312e81", shape: "hexagon" },
  malware: { fill: "#fee2e2", ink: "#7f1d1d", shape: "octagon" },
  threat: { fill: "#fce7f3", ink: "#831843", shape: "round-pentagon" },
  indicator: { fill: "#ffedd5", ink: "#7c2d12", shape: "round-heptagon" },
  document: { fill: "#f3f4f6", ink: "#111827", shape: "cut-rectangle" },
  default: { fill: "#e5e7eb", ink: "#374151", shape: "barrel" },
};

/** Type names (or ancestors) per family; the first match along schema → ancestors wins. */
const FAMILY_OF_TYPE: Record<string, Family> = {
  Person: "person",
  Organization: "organization",
  Company: "organization",
  PublicBody: "organization",
  LegalEntity: "organization",
  Identity: "organization",
  BankAccount: "account",
  Account: "account",
  Address: "address",
  Location: "address",
  RealEstate: "address",
  Phone: "contact",
  Email: "contact",
  Domain: "network",
  URL: "network",
  Url: "network",
  IPAddress: "network",
  AutonomousSystem: "network",
  Infrastructure: "network",
  Malware: "malware",
  Tool: "malware",
  ThreatActor: "threat",
  IntrusionSet: "threat",
  Campaign: "threat",
  Indicator: "indicator",
  AttackPattern: "indicator",
  Vulnerability: "indicator",
  FileHash: "indicator",
  Tactic: "indicator",
  Document: "document",
  Report: "document",
  Note: "document",
  Grouping: "document",
};

export function familyOf(schema: string, ancestors: readonly string[] = []): Family {
  for (const name of [schema, ...ancestors]) {
    const family = FAMILY_OF_TYPE[name];
    if (family) return family;
  }
  return "default";
}

/** The icon of a type: its family's, except contacts, where phone and e-mail differ. */
export function iconOf(schema: string, family: Family): IconName {
  if (family === "contact") return schema === "Phone" ? "phone" : "email";
  return family;
}

const BADGES: Record<string, string> = {
  UNCLASSIFIED: "U",
  RESTRICTED: "R",
  CONFIDENTIAL: "C",
  SECRET: "S",
  "TOP SECRET": "TS",
};

/** A short text marking for the node label: "S" for SECRET, initials for a tenant's own scale. */
export function classificationBadge(name: string, level: number): string {
  const upper = name.trim().toUpperCase();
  const known = BADGES[upper];
  if (known) return known;
  const initials = upper
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((word) => word[0])
    .join("")
    .slice(0, 3);
  return initials || String(level);
}

/** Circled digits mark a node's step on a highlighted path (text, not colour). */
export function pathStepMark(step: number): string {
  return step >= 1 && step <= 20 ? String.fromCodePoint(0x2460 + step - 1) : `(${step})`;
}

export const PIN_MARK = "⚑";
export const MASK = "••••";

export interface LabelParts {
  caption: string;
  badge: string;
  pinned: boolean;
  masked: boolean;
  maskedWord: string;
  step?: number;
}

/** The canvas label: "① [S] Caption ⚑", masked captions say so in words. */
export function nodeLabel(parts: LabelParts): string {
  const caption = parts.masked ? `${MASK} (${parts.maskedWord})` : truncate(parts.caption, 40);
  const step = parts.step !== undefined ? `${pathStepMark(parts.step)} ` : "";
  return `${step}[${parts.badge}] ${caption}${parts.pinned ? ` ${PIN_MARK}` : ""}`;
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Colour of the node border for a classification level (the banner's colours). */
export function classificationBorder(level: number): string {
  return classificationColours(level).background;
}

/** Icon data URIs per family/icon, built once. */
const iconCache = new Map<string, string>();
export function familyIcon(schema: string, family: Family): string {
  const icon = iconOf(schema, family);
  let uri = iconCache.get(icon);
  if (!uri) {
    uri = iconUri(icon, FAMILY_STYLES[family].ink);
    iconCache.set(icon, uri);
  }
  return uri;
}

export const FOCUS_COLOUR = "#b45309";
export const PATH_COLOUR = "#6d28d9";
export const SELECT_COLOUR = "#1d4ed8";

/**
 * The stylesheet. `big` graphs trade detail for frame rate: straight edges (no bundling
 * maths), no edge labels and labels only once zoomed in.
 */
export function graphStylesheet(big: boolean): StylesheetJson {
  return [
    {
      selector: "node",
      style: {
        shape: "data(shape)" as never,
        width: 44,
        height: 44,
        "background-color": "data(fill)",
        "background-image": "data(icon)",
        "background-width": "62%",
        "background-height": "62%",
        "background-clip": "none",
        "border-width": 4,
        "border-color": "data(border)",
        label: "data(label)",
        "font-size": 11,
        "font-family": "DejaVu Sans, Liberation Sans, Arial, sans-serif",
        color: "#111827",
        "text-valign": "bottom",
        "text-halign": "center",
        "text-margin-y": 5,
        "text-wrap": "ellipsis",
        "text-max-width": "240px",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.9,
        "text-background-padding": "2px",
        "text-background-shape": "roundrectangle",
        "min-zoomed-font-size": big ? 9 : 6,
      },
    },
    { selector: "node.pinned", style: { "border-style": "double", "border-width": 6 } },
    {
      selector: "node:selected",
      style: { "overlay-color": SELECT_COLOUR, "overlay-opacity": 0.22, "overlay-padding": 7, "font-weight": "bold" },
    },
    {
      selector: "node.on-path",
      style: { "underlay-color": PATH_COLOUR, "underlay-opacity": 0.45, "underlay-padding": 10 },
    },
    {
      selector: "node.focused",
      style: { "outline-color": FOCUS_COLOUR, "outline-width": 4, "outline-offset": 5, "outline-style": "solid", "outline-opacity": 1 },
    },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "line-color": "#6b7280",
        "target-arrow-color": "#6b7280",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        "curve-style": big ? "straight" : "bezier",
        label: big ? "" : "data(label)",
        "font-size": 9,
        color: "#374151",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.9,
        "text-background-padding": "1px",
        "min-zoomed-font-size": 8,
      },
    },
    { selector: "edge:selected", style: { width: 3, "line-color": SELECT_COLOUR, "target-arrow-color": SELECT_COLOUR } },
    {
      selector: "edge.on-path",
      style: { width: 5, "line-color": PATH_COLOUR, "target-arrow-color": PATH_COLOUR, "line-style": "dashed", "line-dash-pattern": [10, 4], "z-index": 10 },
    },
  ];
}
