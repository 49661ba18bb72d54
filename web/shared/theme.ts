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

/**
 * A colour custom property as the browser resolves it now (rgb()), for drawing code (the chart) that cannot use
 * CSS itself. The properties hold light-dark(...), which only a colour property resolves: a probe element does.
 */
export function cssColour(name: string): string {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  probe.style.color = `var(${name})`;
  document.documentElement.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}
