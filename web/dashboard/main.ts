// The deployment dashboard at /deploy/: both colours with their live traffic, the deploy under way, the
// post-switch analysis, the last answer diff, the history, and (with an admin token) the CLI's actions. Every
// figure comes from the controller's API (the `status --json` object and deployment.log), pushed live.
import './dashboard.css';
import { getJson } from '../shared/api.js';
import { byId } from '../shared/dom.js';
import { clock } from '../shared/format.js';
import { applyTheme, type Theme } from '../shared/theme.js';
import { mountActions } from './actions.js';
import { renderAnalysis } from './analysis.js';
import { renderAnswerDiff } from './answer-diff.js';
import { renderColours } from './colours.js';
import { renderDeploy } from './deploy-progress.js';
import { renderHistory } from './history.js';
import { connectLive } from './live.js';
import type { ActionsInfo, DeploymentEvent, StatusView } from './types.js';
import { up } from './types.js';

/** Events kept in memory: enough for the history table and the last deploy's phases. */
const KEPT = 500;
const THEMES: Theme[] = ['auto', 'light', 'dark'];

const params = new URLSearchParams(location.search);
const theme = byId<HTMLSelectElement>('theme');
theme.value = THEMES.includes(params.get('theme') as Theme) ? (params.get('theme') as Theme) : 'auto';
applyTheme(theme.value as Theme);
theme.addEventListener('change', () => {
  applyTheme(theme.value as Theme);
  if (theme.value === 'auto') params.delete('theme');
  else params.set('theme', theme.value);
  history.replaceState(null, '', `${location.pathname}${params.size > 0 ? `?${params}` : ''}`);
});

let status: StatusView | undefined;
let events: DeploymentEvent[] = [];
let lastDiff: DeploymentEvent | undefined;
let announced = '';

async function start(): Promise<void> {
  const [info, log, diffs] = await Promise.all([
    getJson<ActionsInfo>('/deploy/api/actions'),
    getJson<DeploymentEvent[]>(`/deploy/api/history?limit=${KEPT}`),
    getJson<DeploymentEvent[]>('/deploy/api/history?event=answers&limit=1'),
  ]);
  events = log;
  lastDiff = diffs.at(-1);
  const actions = mountActions(byId('actions'), info);
  renderAnswerDiff(byId('answer-diff'), lastDiff);
  renderHistory(byId<HTMLTableSectionElement>('history-body'), events);
  connectLive({
    status(s) {
      status = s;
      render();
      actions.update(s);
      if (document.body.dataset.ready === undefined) {
        document.body.dataset.ready = 'true';
        performance.mark('dashboard-rendered'); // the first status shown: what `npm run measure:dashboard` times
      }
    },
    log(e) {
      events.push(e);
      if (events.length > KEPT) events = events.slice(-KEPT);
      if (e.event === 'answers') {
        lastDiff = e;
        renderAnswerDiff(byId('answer-diff'), lastDiff);
      }
      renderHistory(byId<HTMLTableSectionElement>('history-body'), events);
      if (status) renderDeploy(byId('deploy'), status, events, Date.now());
    },
    connection(state) {
      const el = byId('live');
      el.dataset.state = state;
      el.textContent = state === 'live' ? 'Live' : 'Reconnecting…';
    },
    resumed() {
      // Lines written while the stream was down are not replayed: read the log again.
      void getJson<DeploymentEvent[]>(`/deploy/api/history?limit=${KEPT}`).then((log) => {
        events = log;
        renderHistory(byId<HTMLTableSectionElement>('history-body'), events);
      });
    },
  });
}

function render(): void {
  if (!status) return;
  const s = status;
  const now = Date.now();
  document.body.dataset.active = s.active ?? 'none';
  const active = s.active ? `${up(s.active)} (v${s.colours[s.active].version ?? '?'})` : 'nothing';
  byId('summary').textContent =
    `Serving: ${active}. Router pid ${s.router.pid ?? '?'}${s.router.answering ? '' : ' (not answering)'}, ` +
    `controller pid ${s.controller.pid} since ${clock(s.controller.startedAt)}. ` +
    (s.traffic ? `Traffic over the last ${Math.round(s.traffic.windowMs / 1000)} s.` : 'Traffic: reading…');
  renderColours(byId('colours'), s, now);
  renderDeploy(byId('deploy'), s, events, now);
  renderAnalysis(byId('analysis'), s, events, now);
  // Only what a person must hear goes to the live region: a switch, and a deploy's phase.
  const say = s.deploy ? `Deploying v${s.deploy.version} to ${up(s.deploy.colour)}: phase ${s.deploy.phase} of 5` : `${active} is serving`;
  if (say !== announced) {
    announced = say;
    byId('announce').textContent = say;
  }
}

start().catch((err: unknown) => {
  const box = byId('page-error');
  box.textContent = `The dashboard could not start: ${err instanceof Error ? err.message : String(err)}`;
  box.hidden = false;
});
