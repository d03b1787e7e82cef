/** Small hooks shared by the pages. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, isLoggedOutError, session } from './api.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  /** What failed, for callers that show field problems (fieldError). */
  cause: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` now and whenever `deps` change or reload() is called; keeps showing the
 * previous data while reloading (no flicker) and drops answers to superseded calls.
 * A session that cannot be refreshed any more logs out.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; cause: unknown; loading: boolean }>({ data: null, error: null, cause: null, loading: true });
  const [tick, setTick] = useState(0);
  const call = useRef(0);
  useEffect(() => {
    const id = ++call.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => id === call.current && setState({ data, error: null, cause: null, loading: false }),
      (error: unknown) => {
        if (isLoggedOutError(error)) void session.logout();
        if (id === call.current) setState((s) => ({ ...s, error: errorMessage(error), cause: error, loading: false }));
      },
    );
  }, [...deps, tick]);
  useEffect(() => {
    if (!everyMs) return;
    const timer = setInterval(() => setTick((t) => t + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** The current time, advancing every `everyMs`: for "3 s ago" and sliding chart windows. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
