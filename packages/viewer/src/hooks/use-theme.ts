import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';

export type Theme = 'system' | 'light' | 'dark';

/** The chosen theme (saved in localStorage), whether the page is dark now, and a toggle. */
export function useTheme(): [Theme, boolean, () => void] {
  const [theme, setTheme] = useState<Theme>(() => {
    const saved = localStorage.getItem('backlog-theme');
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  });
  const media = useMemo(() => window.matchMedia('(prefers-color-scheme: dark)'), []);
  const [systemDark, setSystemDark] = useState(media.matches);
  useEffect(() => {
    const listener = () => setSystemDark(media.matches);
    media.addEventListener('change', listener);
    return () => media.removeEventListener('change', listener);
  }, [media]);
  useEffect(() => {
    if (theme === 'system') {
      delete document.documentElement.dataset.theme;
      localStorage.removeItem('backlog-theme');
    } else {
      document.documentElement.dataset.theme = theme;
      localStorage.setItem('backlog-theme', theme);
    }
  }, [theme]);
  const dark = theme === 'dark' || (theme === 'system' && systemDark);
  const cycle = useCallback(
    () => setTheme((t) => (t === 'system' ? (dark ? 'light' : 'dark') : t === 'dark' ? 'light' : 'dark')),
    [dark],
  );
  return [theme, dark, cycle];
}
