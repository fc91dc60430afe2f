// A small history router: the server answers every non-API path with index.html, so
// real paths (/login, /home, /dashboard) work on reload and in bookmarks.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';

const CHANGE_EVENT = 'shouwang:navigate';

export function currentPath() {
  return window.location.pathname || '/';
}

export function navigate(path, { replace = false } = {}) {
  if (path === currentPath() + window.location.search) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGE_EVENT));
  // A new page starts at the top, like an ordinary link would.
  if (!replace) window.scrollTo(0, 0);
}

// The path, kept in state so that the app re-renders on back/forward and on navigate().
export function usePathState() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE_EVENT, update);
    };
  }, []);
  return path;
}

export const PathContext = createContext('/');

export function usePath() {
  return useContext(PathContext);
}

// An <a> that navigates in place; modified clicks (new tab, download) stay with the browser.
export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
