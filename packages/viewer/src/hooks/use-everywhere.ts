import { useCallback, useEffect, useState } from 'preact/hooks';

const EVERYWHERE_KEY = 'backlog-search-everywhere';

/**
 * The spotlight's "from all projects", remembered in this browser rather than the URL: it is a
 * habit of the reader (like the theme), and a shared link should search where its project is.
 */
export function useEverywhere(): [boolean, () => void] {
  const [on, setOn] = useState(() => localStorage.getItem(EVERYWHERE_KEY) === '1');
  useEffect(() => {
    if (on) localStorage.setItem(EVERYWHERE_KEY, '1');
    else localStorage.removeItem(EVERYWHERE_KEY);
  }, [on]);
  const toggle = useCallback(() => setOn((was) => !was), []);
  return [on, toggle];
}
