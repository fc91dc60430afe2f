import { useEffect } from 'preact/hooks';
import { navigate } from '../router.jsx';

// Replaces the current history entry, so Back does not return to a page that only
// redirects again.
export function Redirect({ to }) {
  useEffect(() => {
    navigate(to, { replace: true });
  }, [to]);
  return null;
}
