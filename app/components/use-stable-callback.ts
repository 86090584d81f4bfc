import { useCallback, useEffect, useLayoutEffect, useRef } from "react";

// useLayoutEffect warns when rendered on the server, where there is no layout to wait for.
const useIsomorphicLayoutEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

// A function that keeps its identity across renders and calls the latest `fn`: a memoised child
// handed it re-renders for its own props only, not each time its parent does. For event
// handlers; not to be called while rendering.
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const latest = useRef(fn);
  useIsomorphicLayoutEffect(() => {
    latest.current = fn;
  });
  return useCallback((...args: A) => latest.current(...args), []);
}
