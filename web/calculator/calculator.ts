// The calculator form and its answer: inputs by the tool's argument names, one POST /cost-estimate per change,
// the answer itemized. A refused input shows the tool's own message (and its "did you mean" names as buttons).
import { ApiError, isAbort, postJson } from '../shared/api.js';
import { byId, debounce, h } from '../shared/dom.js';
import { renderEstimate, type Estimate } from './cost-lines.js';
import { requestBody, type FieldSpec } from './fields.js';

/** Fields the page's HTML already holds (with the labels the tests look for); the rest are made from the schema. */
const STATIC_FIELDS: Record<string, string> = { model_name: 'model', input_tokens: 'input_tokens', output_tokens: 'output_tokens' };

export interface Calculator {
  /** Puts a model in the Model field and prices it. */
  openModel(name: string): void;
  /** The current arguments (for the comparison, which prices the same workload). */
  body(): Record<string, unknown>;
  /** Prices the current inputs; resolves once the answer (or the refusal) is on the page. */
  run(): Promise<void>;
}

export function mountCalculator(fields: readonly FieldSpec[], values: Record<string, string>, onChange: () => void): Calculator {
  const form = byId<HTMLFormElement>('calc-form');
  const out = byId('estimate');
  const error = byId('calc-error');
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();

  for (const [name, id] of Object.entries(STATIC_FIELDS)) inputs.set(name, byId<HTMLInputElement>(id));
  const extra = fields.filter((f) => !(f.name in STATIC_FIELDS));
  byId('modifiers').replaceChildren(...extra.map((f) => fieldElement(f, inputs)));
  for (const [name, el] of inputs) writeValue(el, values[name] ?? '');

  let pending: AbortController | undefined;
  const run = async (): Promise<void> => {
    pending?.abort();
    const ctl = new AbortController();
    pending = ctl;
    try {
      const estimate = await postJson<Estimate>('/cost-estimate', requestBody(fields, values), ctl.signal);
      error.hidden = true;
      out.replaceChildren(renderEstimate(estimate));
    } catch (err) {
      if (isAbort(err)) return;
      showError(err);
    }
  };
  const showError = (err: unknown): void => {
    const message = err instanceof ApiError ? err.message : `Could not reach the server: ${String(err)}`;
    const names = [...message.matchAll(/"([^"]+)"/g)].map((m) => m[1]!).slice(1);
    error.replaceChildren(h('p', {}, message));
    if (/Did you mean/.test(message) && names.length > 0) {
      error.append(
        h(
          'p',
          { class: 'did-you-mean' },
          'Try: ',
          ...names.map((n) => h('button', { type: 'button', class: 'quiet', onclick: () => openModel(n) }, n)),
        ),
      );
    }
    error.hidden = false;
    out.replaceChildren();
  };
  const later = debounce(() => void run(), 150);
  const changed = (): void => {
    for (const [name, el] of inputs) values[name] = readValue(el);
    onChange();
    later();
  };
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    changed();
  });

  const openModel = (name: string): void => {
    const model = inputs.get('model_name')!;
    model.value = name;
    changed();
  };
  return { openModel, body: () => requestBody(fields, values), run };
}

function fieldElement(f: FieldSpec, inputs: Map<string, HTMLInputElement | HTMLSelectElement>): HTMLElement {
  const id = `f-${f.name}`;
  const hintId = `${id}-hint`;
  const hint = f.description ? h('span', { class: 'hint', id: hintId }, f.description) : null;
  const describedBy = hint ? hintId : undefined;
  if (f.kind === 'boolean') {
    const box = h('input', { id, name: f.name, type: 'checkbox', value: 'true', 'aria-describedby': describedBy });
    inputs.set(f.name, box);
    return h('div', { class: 'field' }, h('span', { class: 'field-check' }, box, h('label', { for: id }, f.label)), hint);
  }
  let el: HTMLInputElement | HTMLSelectElement;
  if (f.kind === 'choice') {
    el = h(
      'select',
      { id, name: f.name, 'aria-describedby': describedBy },
      h('option', { value: '' }, 'default'),
      ...f.options.map((o) => h('option', { value: o }, o)),
    );
  } else {
    const numeric = f.kind === 'integer' || f.kind === 'number';
    el = h('input', {
      id,
      name: f.name,
      type: numeric ? 'number' : 'text',
      inputmode: f.kind === 'integer' ? 'numeric' : undefined,
      step: f.kind === 'integer' ? 1 : f.kind === 'number' ? 'any' : undefined,
      min: f.min,
      max: f.max,
      'aria-describedby': describedBy,
    });
  }
  inputs.set(f.name, el);
  return h('div', { class: 'field' }, h('label', { for: id }, f.label), el, hint);
}

function readValue(el: HTMLInputElement | HTMLSelectElement): string {
  if (el instanceof HTMLInputElement && el.type === 'checkbox') return el.checked ? 'true' : '';
  return el.value;
}

function writeValue(el: HTMLInputElement | HTMLSelectElement, value: string): void {
  if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value === 'true';
  else el.value = value;
}
