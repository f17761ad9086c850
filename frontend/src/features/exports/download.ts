/** Saves a finished bundle: fetched with the credential (a plain link would carry none). */
import { ApiError, requestHeaders } from "../../api/client";

/** The file name a Content-Disposition header names (RFC 6266; filename* wins), or null. */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended?.[2]) {
    try {
      return safeName(decodeURIComponent(extended[2].trim().replace(/^"|"$/g, "")));
    } catch {
      // malformed percent-encoding: fall back to the plain parameter
    }
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted?.[1] !== undefined) return safeName(quoted[1].replace(/\\(.)/g, "$1"));
  const plain = /(?:^|;)\s*filename\s*=\s*([^;\s]+)/i.exec(header);
  return plain?.[1] ? safeName(plain[1]) : null;
}

/** Never a path: only the last segment, and never empty or a dot name. */
function safeName(name: string): string | null {
  const last = name.split(/[\\/]/).pop()?.trim() ?? "";
  return last && last !== "." && last !== ".." ? last : null;
}

export async function downloadExport(path: string, jobId: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(path, { headers: requestHeaders() });
  } catch {
    throw new ApiError("The server cannot be reached.", "network", "Check your connection and try again.", 0);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string; hint?: string };
    throw new ApiError(body.message ?? `HTTP ${response.status}`, body.code ?? "error", body.hint, response.status);
  }
  const name = filenameFromDisposition(response.headers.get("Content-Disposition")) ?? `intelgraph-export-${jobId}.zip`;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Let the browser start the save before the blob is released.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
