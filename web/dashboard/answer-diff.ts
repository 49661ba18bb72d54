// The last deploy's answer diff: the canonical MCP calls answered by the colour that was serving and by the
// new one (phase 2, through the router's preview), leaf by leaf, as deployment.log's `answers` event has it.
import { h } from '../shared/dom.js';
import { clock } from '../shared/format.js';
import type { DeploymentEvent } from './types.js';
import { str, up } from './types.js';

export function renderAnswerDiff(el: HTMLElement, e: DeploymentEvent | undefined): void {
  if (!e) {
    el.replaceChildren(
      h('p', { class: 'muted' }, 'No answer diff yet: a deploy over a serving colour compares both colours’ answers before the switch.'),
    );
    return;
  }
  const against = (e.against ?? {}) as { colour?: string; version?: string };
  const title = `v${str(e.version)} on ${up(str(e.colour))} against v${str(against.version)} on ${up(against.colour)}, ${clock(e.ts)}`;
  if (typeof e.error === 'string') {
    el.replaceChildren(h('p', {}, title), h('p', { class: 'warning' }, `The answers could not be compared: ${e.error}`));
    return;
  }
  const changes = Array.isArray(e.changes) ? e.changes.map(str) : [];
  el.dataset.changes = String(changes.length);
  el.replaceChildren(
    h('p', {}, title),
    changes.length === 0
      ? h('p', { class: 'ok' }, 'Canonical answers unchanged.')
      : h(
          'div',
          {},
          h('p', {}, `${changes.length} ${changes.length === 1 ? 'answer changed' : 'answers changed'}:`),
          h('ul', { class: 'diff' }, ...changes.map((c) => h('li', {}, diffLine(c)))),
        ),
  );
}

/** `path: before -> after` as path, before (struck) and after. */
function diffLine(line: string): Node {
  const m = /^(.*?): (.*) -> (.*)$/.exec(line);
  if (!m) return h('code', {}, line);
  const f = document.createDocumentFragment();
  f.append(h('code', { class: 'diff-path' }, m[1]!), ' ', h('del', {}, m[2]!), ' → ', h('ins', {}, m[3]!));
  return f;
}
