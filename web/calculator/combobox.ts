// A text input with a list of model names to pick from (the ARIA combobox pattern): type, move with the arrow
// keys, Enter or a click picks, Escape closes. Names come from a completer that may answer late; a newer
// keystroke supersedes it.
import { debounce, h } from '../shared/dom.js';

export type Completer = (value: string, signal: AbortSignal) => Promise<string[]>;

let serial = 0;

export function attachCombobox(input: HTMLInputElement, complete: Completer, onPick: (value: string) => void): void {
  const id = `suggestions-${++serial}`;
  const list = h('ul', { id, role: 'listbox', class: 'suggestions', 'aria-label': 'Suggestions' });
  list.hidden = true;
  input.after(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', id);
  input.setAttribute('aria-expanded', 'false');

  let items: string[] = [];
  let active = -1;
  let pending: AbortController | undefined;

  const close = (): void => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const show = (names: string[]): void => {
    items = names;
    active = -1;
    list.replaceChildren(
      ...names.map((name, i) =>
        h(
          'li',
          { id: `${id}-${i}`, role: 'option', 'aria-selected': 'false', onmousedown: (ev: Event) => (ev.preventDefault(), pick(i)) },
          name,
        ),
      ),
    );
    list.hidden = names.length === 0;
    input.setAttribute('aria-expanded', String(names.length > 0));
  };
  const highlight = (i: number): void => {
    active = i;
    list.querySelectorAll('li').forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    const li = list.children[i];
    if (li) {
      input.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    }
  };
  const pick = (i: number): void => {
    const name = items[i];
    if (name === undefined) return;
    input.value = name;
    close();
    onPick(name);
  };
  const refresh = debounce(() => {
    pending?.abort();
    const ctl = new AbortController();
    pending = ctl;
    const value = input.value;
    complete(value, ctl.signal).then(
      (names) => {
        if (!ctl.signal.aborted && document.activeElement === input) show(names.filter((n) => n !== value));
      },
      () => undefined, // completion is a convenience: when it fails the field still takes any name
    );
  }, 120);

  input.addEventListener('input', refresh);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (list.hidden) return refresh();
      ev.preventDefault();
      const n = items.length;
      highlight(ev.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n);
    } else if (ev.key === 'Enter' && !list.hidden && active >= 0) {
      ev.preventDefault();
      pick(active);
    } else if (ev.key === 'Escape' && !list.hidden) {
      ev.preventDefault();
      close();
    }
  });
}
