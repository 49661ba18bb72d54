// Promote, abort and roll back from the page: offered only when the controller has an admin token, each
// confirmed in a dialog that asks for the token, each sent through the controller's admin protocol (the same
// handler as the CLI verb). Without a token the section says the page is read-only and why.
import { ApiError } from '../shared/api.js';
import { byId, h } from '../shared/dom.js';
import type { ActionAnswer, ActionsInfo, StatusView, Verb } from './types.js';
import { up } from './types.js';

interface Offer {
  verb: Verb;
  label: string;
  /** Why it cannot be done now, or null. */
  blocked: (s: StatusView) => string | null;
  question: (s: StatusView) => string;
}

const OFFERS: Offer[] = [
  {
    verb: 'promote',
    label: 'Promote',
    blocked: (s) => (s.deploy?.waitingForPromote ? null : 'no deployment is waiting for promotion'),
    question: (s) => `Switch traffic to ${up(s.deploy?.colour)} (v${s.deploy?.version ?? '?'})?`,
  },
  {
    verb: 'abort',
    label: 'Abort',
    blocked: (s) => (s.deploy?.waitingForPromote ? null : 'no deployment is waiting for promotion'),
    question: (s) => `Stop ${up(s.deploy?.colour)} (v${s.deploy?.version ?? '?'}) and keep ${up(s.active)} serving?`,
  },
  {
    verb: 'rollback',
    label: 'Roll back',
    blocked: (s) => (s.deploy ? 'a deployment is under way' : s.active === null ? 'nothing is serving' : null),
    question: (s) => {
      const prev = s.previous;
      return prev && s.colours[prev].status === 'RUNNING'
        ? `Switch traffic back to ${up(prev)} (v${s.colours[prev].version ?? '?'}) at once?`
        : 'Roll back? The previous colour is not warm: its release is started, validated and switched to (the five phases).';
    },
  },
];

export interface ActionsView {
  update(s: StatusView): void;
}

export function mountActions(el: HTMLElement, info: ActionsInfo): ActionsView {
  if (!info.enabled) {
    el.dataset.enabled = 'false';
    el.replaceChildren(h('p', { class: 'muted', id: 'read-only' }, `This dashboard is ${info.reason}`));
    return { update: () => undefined };
  }
  el.dataset.enabled = 'true';
  const dialog = byId<HTMLDialogElement>('confirm');
  const question = byId('confirm-question');
  const token = byId<HTMLInputElement>('confirm-token');
  const output = h('div', { id: 'action-output', role: 'status' });
  let status: StatusView | undefined;
  let chosen: Offer | undefined;
  const buttons = OFFERS.filter((o) => info.verbs.includes(o.verb)).map((o) => {
    const b = h('button', { type: 'button', 'data-verb': o.verb, 'aria-describedby': `why-${o.verb}` }, o.label);
    b.addEventListener('click', () => {
      if (!status) return;
      chosen = o;
      question.textContent = o.question(status);
      byId('confirm-verb').textContent = o.label;
      dialog.showModal();
      token.focus();
    });
    return { o, b, why: h('span', { class: 'hint', id: `why-${o.verb}` }) };
  });
  el.replaceChildren(
    h('p', { class: 'muted' }, `Each action is the CLI verb of the same name, ${info.reason}.`),
    h('div', { class: 'action-row' }, ...buttons.map(({ b, why }) => h('div', { class: 'action' }, b, why))),
    output,
  );

  byId<HTMLFormElement>('confirm-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const verb = chosen?.verb;
    if (!verb) return;
    const secret = token.value.trim();
    if (secret === '') {
      byId('confirm-error').textContent = 'Enter the admin token.';
      return;
    }
    byId('confirm-error').textContent = '';
    dialog.close();
    output.replaceChildren(h('p', {}, `${chosen!.label}: sent…`));
    void act(verb, secret).then(
      (a) => output.replaceChildren(resultView(chosen!.label, a)),
      (err: unknown) =>
        output.replaceChildren(h('p', { class: 'error' }, `${chosen!.label} refused: ${err instanceof Error ? err.message : String(err)}`)),
    );
  });
  byId('confirm-cancel').addEventListener('click', () => dialog.close());

  return {
    update(s) {
      status = s;
      for (const { o, b, why } of buttons) {
        const reason = o.blocked(s);
        b.disabled = reason !== null;
        why.textContent = reason ?? '';
      }
    },
  };
}

async function act(verb: Verb, token: string): Promise<ActionAnswer> {
  const res = await fetch(`/deploy/api/actions/${verb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  const body = (await res.json()) as ActionAnswer & { message?: string };
  if (res.status === 401 || res.status === 403 || res.status === 400) throw new ApiError(body.message ?? `${res.status}`, res.status);
  return body;
}

function resultView(label: string, a: ActionAnswer): HTMLElement {
  const head = a.pending
    ? `${label}: under way (it shows above as it goes)`
    : a.ok
      ? `${label}: done`
      : `${label} failed: ${a.error ?? 'no reason given'}`;
  return h(
    'div',
    { 'data-ok': String(a.ok) },
    h('p', { class: a.ok ? 'ok' : 'error' }, head),
    a.lines.length > 0 ? h('pre', { class: 'lines' }, a.lines.join('\n')) : null,
  );
}
