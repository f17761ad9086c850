/** A function whose identity never changes but always runs the latest closure (keeps memo'd children from re-rendering). */
import { useCallback, useRef } from "react";

export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ref = useRef(fn);
  ref.current = fn;
  return useCallback((...args: A) => ref.current(...args), []);
}
