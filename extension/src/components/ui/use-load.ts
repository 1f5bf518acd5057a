import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type Loaded<T> = { loading: boolean; error: unknown; data: T | undefined; reload: () => void };

/**
 * Runs `load` on mount and whenever `deps` change or `reload()` is called; the latest call wins.
 * `load` itself is not a dependency: callers pass a fresh closure on every render.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ loading: boolean; error: unknown; data: T | undefined }>({ loading: true, error: null, data: undefined });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => call === latest.current && setState({ loading: false, error: null, data }),
      (error: unknown) => call === latest.current && setState((s) => ({ loading: false, error, data: s.data })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
