// What the dashboard reads from the controller's API: the controller's own types (src/deploy/status-view.ts,
// types only, no Node), so the page cannot drift from `status --json`.
export type {
  ActionAnswer,
  ActionsInfo,
  ColourRates,
  ColourStatusView as ColourView,
  DashboardVerb as Verb,
  DeploymentEvent,
  StatusView,
} from '../../src/deploy/status-view.js';

export type Colour = 'blue' | 'green';
export const COLOURS: readonly Colour[] = ['blue', 'green'];

export const up = (c: string | null | undefined): string => (c ? c.toUpperCase() : '—');
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
