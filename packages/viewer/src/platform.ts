// The search shortcut is named the way the reader's keyboard names it: ⌘ exists only on Apple
// keyboards; elsewhere the same shortcut is Ctrl (the page listens for both).

interface NavigatorWithUAData extends Navigator {
  userAgentData?: { platform?: string };
}

export function isApplePlatform(nav: Navigator = navigator): boolean {
  // userAgentData is the current source where it exists (Chromium); navigator.platform is
  // deprecated but still the only one in Safari and Firefox. iPadOS says "MacIntel".
  const platform = (nav as NavigatorWithUAData).userAgentData?.platform || nav.platform || '';
  return /mac|iphone|ipad|ipod|ios/i.test(platform);
}

/** "⌘K" on macOS and iOS, "Ctrl K" everywhere else. */
export const SEARCH_SHORTCUT = isApplePlatform() ? '⌘K' : 'Ctrl K';
/** The same shortcut for screen readers and tooltips. */
export const SEARCH_SHORTCUT_NAME = isApplePlatform() ? 'Command+K' : 'Ctrl+K';

/** The spotlight's "from all projects" toggle: Option+A on Apple keyboards, Alt+A elsewhere. */
export const ALL_PROJECTS_SHORTCUT = isApplePlatform() ? '⌥A' : 'Alt A';
export const ALL_PROJECTS_SHORTCUT_NAME = isApplePlatform() ? 'Option+A' : 'Alt+A';
