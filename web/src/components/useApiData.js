// Loads one GET resource for a component: {data, error, loading, reload}. Reloads when
// any of `deps` changes (the language, so that server-localised labels follow a switch).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';

export function useApiData(path, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const requestId = ++latestRequest.current;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    api.get(path).then(
      (data) => {
        if (requestId === latestRequest.current) setState({ data, error: null, loading: false });
      },
      (error) => {
        if (requestId === latestRequest.current) setState({ data: null, error, loading: false });
      },
    );
  }, [path, ...deps]);

  useEffect(() => {
    load();
    // A late answer for an unmounted component must not be applied.
    return () => { latestRequest.current++; };
  }, [load]);

  return { ...state, reload: load };
}
