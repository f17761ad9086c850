/** Ingest runs as the table shows them: counts from the run's stats or live progress, merged pages. */

export interface IngestRunNode {
  id: string;
  sourceName: string | null;
  connector: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  inputs: string[];
  stats: Record<string, unknown> | null;
  error: string | null;
  source: { labels: { classification: number; classificationName: string } } | null;
}

export interface IngestProgressEvent {
  runId: string;
  status: string;
  recordsRead: number;
  recordsLoaded: number;
  recordsSkipped: number;
  deadLetters: number;
  statementsWritten: number;
  finished: boolean;
}

export interface RunCounts {
  read: number;
  loaded: number;
  skipped: number;
  deadLetters: number;
  statements: number;
}

export interface RunRow extends IngestRunNode {
  counts: RunCounts;
}

function first(stats: Record<string, unknown>, names: string[]): number {
  for (const name of names) {
    const value = stats[name];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return 0;
}

/** The run's totals: the pipeline writes snake_case (records_read, dlq, …). */
export function countsFromStats(stats: Record<string, unknown> | null): RunCounts {
  const s = stats ?? {};
  return {
    read: first(s, ["records_read", "recordsRead"]),
    loaded: first(s, ["records_loaded", "recordsLoaded"]),
    skipped: first(s, ["records_skipped", "recordsSkipped"]),
    deadLetters: first(s, ["dlq", "dead_letters", "deadLetters"]),
    statements: first(s, ["statements_written", "statementsWritten"]),
  };
}

export function toRow(node: IngestRunNode): RunRow {
  return { ...node, counts: countsFromStats(node.stats) };
}

/** A progress event applied to its row; counts only grow (events may race a refetch). */
export function applyProgress(row: RunRow, event: IngestProgressEvent): RunRow {
  if (row.id !== event.runId) return row;
  return {
    ...row,
    status: event.status,
    counts: {
      read: Math.max(row.counts.read, event.recordsRead),
      loaded: Math.max(row.counts.loaded, event.recordsLoaded),
      skipped: Math.max(row.counts.skipped, event.recordsSkipped),
      deadLetters: Math.max(row.counts.deadLetters, event.deadLetters),
      statements: Math.max(row.counts.statements, event.statementsWritten),
    },
  };
}

/**
 * A refetched first page over what is shown: fresh rows replace theirs, older pages loaded
 * earlier stay below, and live counts are not thrown back by a slightly older snapshot.
 */
export function mergeRuns(fresh: RunRow[], shown: RunRow[]): RunRow[] {
  const byId = new Map(shown.map((row) => [row.id, row]));
  const freshIds = new Set(fresh.map((row) => row.id));
  const merged = fresh.map((row) => {
    const old = byId.get(row.id);
    if (!old || isFinished(row.status)) return row;
    return { ...row, counts: applyProgress(old, progressOf(row)).counts };
  });
  return [...merged, ...shown.filter((row) => !freshIds.has(row.id))];
}

function progressOf(row: RunRow): IngestProgressEvent {
  return {
    runId: row.id,
    status: row.status,
    recordsRead: row.counts.read,
    recordsLoaded: row.counts.loaded,
    recordsSkipped: row.counts.skipped,
    deadLetters: row.counts.deadLetters,
    statementsWritten: row.counts.statements,
    finished: isFinished(row.status),
  };
}

const ACTIVE = new Set(["running", "queued"]);

export function isFinished(status: string): boolean {
  return !ACTIVE.has(status);
}

/** Status keys the UI words; anything else is shown as the server sent it. */
export const KNOWN_STATUSES = ["running", "queued", "completed", "succeeded", "failed", "interrupted", "aborted"] as const;

/** The ids of rows that appeared since the last look (for a polite announcement). */
export function newRunIds(before: RunRow[], after: RunRow[]): string[] {
  const seen = new Set(before.map((row) => row.id));
  return after.filter((row) => !seen.has(row.id)).map((row) => row.id);
}

/** "1 h 4 min", "3 min 5 s", "42 s": units read the same in English and German. */
export function formatDuration(ms: number, number: (value: number) => string): string {
  if (ms < 1000) return `< ${number(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${number(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${number(minutes)} min ${number(seconds % 60)} s`;
  return `${number(Math.floor(minutes / 60))} h ${number(minutes % 60)} min`;
}

/** The last path segment of each input ("/data/drop/donations.csv" → "donations.csv"). */
export function inputNames(inputs: string[]): string {
  return inputs.map((input) => input.replace(/[?#].*$/, "").split(/[\\/]/).filter(Boolean).pop() ?? input).join(", ");
}
