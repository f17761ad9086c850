/**
 * Node icons: small line drawings (24×24, stroke only) turned into data URIs, so the canvas
 * needs no network request and Cytoscape caches one image per icon, whatever the node count.
 */

export type IconName =
  | "person"
  | "organization"
  | "account"
  | "address"
  | "phone"
  | "email"
  | "network"
  | "malware"
  | "threat"
  | "indicator"
  | "document"
  | "default";

const SHAPES: Record<IconName, string> = {
  person: '<circle cx="12" cy="7.5" r="4"/><path d="M4 21c0-4.5 3.6-7.5 8-7.5s8 3 8 7.5z"/>',
  organization: '<path d="M3 21h18M5 21V4h9v17M14 9h5v12"/><path d="M8 7.5h3M8 11h3M8 14.5h3M16.5 12.5v.01M16.5 16v.01"/>',
  account: '<path d="M3 9.5 12 4l9 5.5z"/><path d="M5 10v8M9.5 10v8M14.5 10v8M19 10v8M3 20.5h18"/>',
  address: '<path d="M12 22s7-7.3 7-12.2A7 7 0 0 0 5 9.8C5 14.7 12 22 12 22z"/><circle cx="12" cy="9.8" r="2.6"/>',
  phone: '<rect x="7" y="2.5" width="10" height="19" rx="2"/><path d="M10.5 18.5h3"/>',
  email: '<rect x="3" y="5.5" width="18" height="13" rx="1.5"/><path d="m3.5 6.5 8.5 6.5 8.5-6.5"/>',
  network: '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3.2 3.6 3.2 14.4 0 18M12 3c-3.2 3.6-3.2 14.4 0 18"/>',
  malware:
    '<ellipse cx="12" cy="13.5" rx="5" ry="6.5"/><path d="M12 7v13M7 11H3.5M7 15.5H3.5M17 11h3.5M17 15.5h3.5M9.5 6.5 7.5 4M14.5 6.5l2-2.5"/>',
  threat: '<path d="M4 10.5C4 6 7.6 3 12 3s8 3 8 7.5V13c0 4.5-3.6 8-8 8s-8-3.5-8-8z"/><path d="M6.5 11.5 11 12.5M17.5 11.5 13 12.5M9.5 16.5h5"/>',
  indicator: '<circle cx="12" cy="12" r="7.5"/><circle cx="12" cy="12" r="2.5"/><path d="M12 2v4.5M12 17.5V22M2 12h4.5M17.5 12H22"/>',
  document: '<path d="M6 2.5h8.5L19 7v14.5H6z"/><path d="M14 2.5V7h5M9 12h7M9 15.5h7M9 19h4"/>',
  default: '<circle cx="12" cy="12" r="8"/><circle cx="12" cy="12" r="2.5"/>',
};

/** The icon as an SVG data URI drawn in `colour`. */
export function iconUri(name: IconName, colour: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 24 24" fill="none" stroke="${colour}" ` +
    `stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${SHAPES[name]}</svg>`;
  return `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
}

export const ICON_NAMES = Object.keys(SHAPES) as IconName[];
