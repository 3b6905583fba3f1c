// Applies a saved theme choice before the first paint (no flash). A file, not an inline
// script, so the page's Content-Security-Policy can be `script-src 'self'`.
try {
  const theme = localStorage.getItem('backlog-theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {}
