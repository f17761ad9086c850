/**
 * Bursts of graph changes become one calm notice: changes are tallied by kind (each entity
 * counted once, under its first kind; a retraction overrides) and released after a quiet
 * second, or every few seconds during a long stream, so a screen reader is not flooded.
 */
import type { GraphChangeEvent } from "./feed";

export type ChangeKind = "created" | "updated" | "merged" | "retracted";
export const KINDS: ChangeKind[] = ["created", "updated", "merged", "retracted"];

type Change = Pick<GraphChangeEvent, "kind" | "entityIds" | "count"> & { entities?: GraphChangeEvent["entities"] };

function isKind(kind: string): kind is ChangeKind {
  return (KINDS as string[]).includes(kind);
}

/** A tally of changes. Maps keep first-seen order, so "newest" is the end. */
export class ChangeTally {
  readonly kindOf = new Map<string, ChangeKind>();
  readonly schemaOf = new Map<string, string>();
  /** A load too large to list arrived (views refresh what they show). */
  bulk = false;
  /** Changes the server dropped because we read too slowly. */
  missed = 0;

  add(change: Change): this {
    if (change.kind === "bulk") this.bulk = true;
    else if (change.kind === "overflow") this.missed += change.count;
    else if (isKind(change.kind)) {
      for (const id of change.entityIds) {
        if (change.kind === "retracted") {
          this.kindOf.delete(id); // re-insert at the end: retracted last
          this.kindOf.set(id, "retracted");
        } else if (!this.kindOf.has(id)) this.kindOf.set(id, change.kind);
      }
      for (const entity of change.entities ?? []) this.schemaOf.set(entity.id, entity.schema);
    }
    return this;
  }

  /** A new tally with both (neither argument is changed). */
  merged(other: ChangeTally): ChangeTally {
    const out = new ChangeTally();
    for (const source of [this, other]) {
      out.bulk ||= source.bulk;
      out.missed += source.missed;
      for (const [id, schema] of source.schemaOf) out.schemaOf.set(id, schema);
      for (const kind of KINDS) out.add({ kind, entityIds: source.ids(kind), count: 0 });
    }
    return out;
  }

  ids(kind: ChangeKind): string[] {
    return [...this.kindOf].filter(([, k]) => k === kind).map(([id]) => id);
  }

  count(kind: ChangeKind): number {
    let n = 0;
    for (const k of this.kindOf.values()) if (k === kind) n += 1;
    return n;
  }

  isEmpty(): boolean {
    return !this.bulk && this.missed === 0 && this.kindOf.size === 0;
  }

  /** What "Show" opens: the newest entities that still exist, at most `limit`. */
  idsToShow(limit: number): string[] {
    const alive = [...this.kindOf].filter(([, kind]) => kind !== "retracted").map(([id]) => id);
    return alive.slice(Math.max(0, alive.length - limit)).reverse();
  }

  /** Entities per type among those that still exist, most first. */
  typeCounts(): [string, number][] {
    const counts = new Map<string, number>();
    for (const [id, kind] of this.kindOf) {
      const schema = this.schemaOf.get(id);
      if (kind !== "retracted" && schema) counts.set(schema, (counts.get(schema) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }
}

export interface CoalescerOptions {
  quietMs: number;
  maxWaitMs: number;
  flush: (tally: ChangeTally) => void;
}

/** Collects changes and flushes them after `quietMs` without news, or at most every `maxWaitMs`. */
export function createCoalescer({ quietMs, maxWaitMs, flush }: CoalescerOptions) {
  let pending = new ChangeTally();
  let quiet: ReturnType<typeof setTimeout> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;

  const clear = () => {
    if (quiet !== undefined) clearTimeout(quiet);
    if (deadline !== undefined) clearTimeout(deadline);
    quiet = deadline = undefined;
  };

  const release = () => {
    clear();
    const out = pending;
    pending = new ChangeTally();
    if (!out.isEmpty()) flush(out);
  };

  return {
    push(change: Change) {
      pending.add(change);
      if (quiet !== undefined) clearTimeout(quiet);
      quiet = setTimeout(release, quietMs);
      deadline ??= setTimeout(release, maxWaitMs);
    },
    /** Drops what is pending (sign-out, unmount). */
    cancel() {
      clear();
      pending = new ChangeTally();
    },
  };
}
