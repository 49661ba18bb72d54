// Light, dark, or whatever the system prefers (auto). The choice is part of the page's URL state.

export type Theme = 'auto' | 'light' | 'dark';

export function applyTheme(theme: Theme): void {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** The theme in effect once auto is resolved against the system preference. */
export function effectiveTheme(theme: Theme): 'light' | 'dark' {
  if (theme !== 'auto') return theme;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** A CSS custom property's value, for drawing code (the chart) that cannot use CSS itself. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
