/**
 * The authority bindings the viewer can invoke. The API lists every binding of the tenant to
 * an admin, so the list is narrowed here to those the viewer holds and that are active now.
 */
import { useEffect, useMemo, useState } from "react";
import { ApiError, call } from "../../api/client";
import { useApp } from "../../state/app";
import type { Viewer } from "../../state/types";

export interface AuthoritySummary {
  id: string;
  kind: string;
  issuer: string;
  reference: string;
  purposes: string[];
  licences: string[];
  holders: string[];
  notBefore: string;
  expires: string;
  revoked: boolean;
}

/** Held: no holders (anyone in the tenant), the viewer by name, or one of their groups. */
export function heldAuthorities(list: AuthoritySummary[], viewer: Pick<Viewer, "name" | "groups">, now = Date.now()): AuthoritySummary[] {
  return list
    .filter((authority) => !authority.revoked)
    .filter((authority) => Date.parse(authority.notBefore) <= now && now < Date.parse(authority.expires))
    .filter(
      (authority) =>
        authority.holders.length === 0 ||
        authority.holders.includes(viewer.name) ||
        authority.holders.some((holder) => viewer.groups.includes(holder)),
    )
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.reference.localeCompare(b.reference));
}

/** Whether invoking this authority does anything under this purpose. */
export function coversPurpose(authority: AuthoritySummary, purpose: string | null): boolean {
  return purpose === null || authority.purposes.includes(purpose);
}

export interface HeldAuthorities {
  authorities: AuthoritySummary[];
  loading: boolean;
  error: ApiError | null;
}

/**
 * Loads the held authorities whenever the session, purpose or authority changes. It does not
 * wait for the viewer, so a refused purpose or authority shows up here too (see the toolbar).
 */
export function useHeldAuthorities(enabled = true): HeldAuthorities {
  const { session, purpose, authority, viewer } = useApp();
  const [raw, setRaw] = useState<{ list: AuthoritySummary[]; loading: boolean; error: ApiError | null }>({
    list: [],
    loading: true,
    error: null,
  });

  useEffect(() => {
    if (!enabled || !session) return;
    const controller = new AbortController();
    setRaw((current) => ({ ...current, loading: true }));
    call<{ authorities: AuthoritySummary[] }>("AuthorityList", {}, { signal: controller.signal })
      .then((data) => setRaw({ list: data.authorities, loading: false, error: null }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setRaw({ list: [], loading: false, error: error instanceof ApiError ? error : null });
      });
    return () => controller.abort();
  }, [enabled, session, purpose, authority]);

  const authorities = useMemo(() => (viewer ? heldAuthorities(raw.list, viewer) : []), [raw.list, viewer]);
  return { authorities, loading: raw.loading, error: raw.error };
}

/** A short human name for a binding: "court-order · case 2024/117". */
export function authorityLabel(authority: Pick<AuthoritySummary, "kind" | "reference">): string {
  return `${authority.kind} · ${authority.reference}`;
}
