import { copyText } from './clipboard.js';
import { h, replace, uid, type Child } from './dom.js';

/**
 * A live message slot: role="alert" for errors (announced at once), role="status" for
 * confirmations. Empty slots take no space (CSS :empty).
 */
export class Message {
  readonly el: HTMLElement;
  private timer: number | undefined;

  constructor(kind: 'alert' | 'status', extraClass = '') {
    this.el = h('div', { role: kind, class: `message message-${kind} ${extraClass}`.trim() });
  }

  show(text: Child, autoClearMs?: number): void {
    window.clearTimeout(this.timer);
    replace(this.el, text);
    if (autoClearMs) this.timer = window.setTimeout(() => this.clear(), autoClearMs);
  }

  clear(): void {
    window.clearTimeout(this.timer);
    this.el.replaceChildren();
  }
}

/** A notice box (not live): info, warning or success, with an optional title. */
export function callout(kind: 'info' | 'warning' | 'success' | 'danger', title: string | null, ...body: Child[]): HTMLElement {
  return h('div', { class: `callout callout-${kind}` }, title ? h('p', { class: 'callout-title' }, title) : null, ...body);
}

export interface CopyFieldOptions {
  label: string;
  value: string;
  /** Accessible name of the copy button ("Copy" when the field is enough context). */
  copyLabel?: string;
  hint?: Child;
  /** Shows dots instead of the value, with a Show/Hide toggle; Copy still copies the real value. */
  secret?: boolean;
  id?: string;
}

export interface CopyField {
  el: HTMLElement;
  input: HTMLInputElement;
  setValue(value: string): void;
}

/** A read-only labelled field with a Copy button beside it (and Show/Hide for secrets). */
export function copyField(opts: CopyFieldOptions): CopyField {
  const id = opts.id ?? uid('field');
  const hintId = `${id}-hint`;
  const input = h('input', {
    id,
    type: opts.secret ? 'password' : 'text',
    readonly: true,
    value: opts.value,
    class: 'input mono',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': opts.hint ? hintId : null,
  });
  input.value = opts.value;
  const status = new Message('status', 'message-inline');
  const copy = h('button', { type: 'button', class: 'button', 'aria-label': opts.copyLabel ?? null }, 'Copy');
  copy.addEventListener('click', () => {
    void copyText(input.value).then((ok) => {
      status.show(ok ? 'Copied to clipboard' : 'Copy failed: select the text and copy it yourself', 2500);
    });
  });
  let toggle: HTMLButtonElement | null = null;
  if (opts.secret) {
    const t = h('button', { type: 'button', class: 'button', 'aria-pressed': 'false', 'aria-controls': id }, 'Show');
    t.addEventListener('click', () => {
      const shown = input.type === 'text';
      input.type = shown ? 'password' : 'text';
      t.setAttribute('aria-pressed', String(!shown));
      t.textContent = shown ? 'Show' : 'Hide';
    });
    toggle = t;
  }
  const el = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, opts.label),
    h('div', { class: 'input-group' }, input, toggle, copy),
    opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
    status.el,
  );
  return {
    el,
    input,
    setValue: (value: string) => {
      input.value = value;
    },
  };
}

export interface ConfirmOptions {
  title: string;
  body: Child;
  confirmLabel: string;
  danger?: boolean;
}

/** A modal confirmation (native dialog: role dialog, focus kept inside, Escape cancels). */
export function confirmDialog(opts: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid('dialog-title');
    const bodyId = uid('dialog-body');
    const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
    const confirm = h('button', { type: 'button', class: opts.danger ? 'button danger' : 'button primary' }, opts.confirmLabel);
    const dialog = h(
      'dialog',
      { class: 'dialog dialog-small', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
      h('h2', { id: titleId, class: 'dialog-title' }, opts.title),
      h('div', { id: bodyId, class: 'dialog-body' }, opts.body),
      h('div', { class: 'dialog-actions' }, cancel, confirm),
    );
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** A checkbox with its label and an optional description under it. */
export function checkboxField(opts: { label: string; description?: Child; checked?: boolean; id?: string }): { el: HTMLElement; input: HTMLInputElement; note: HTMLElement } {
  const id = opts.id ?? uid('check');
  const descId = `${id}-desc`;
  const noteId = `${id}-note`;
  const input = h('input', { type: 'checkbox', id, class: 'checkbox', 'aria-describedby': `${descId} ${noteId}` });
  input.checked = Boolean(opts.checked);
  const note = h('p', { class: 'hint hint-note', id: noteId });
  const el = h(
    'div',
    { class: 'check-field' },
    input,
    h('div', { class: 'check-text' }, h('label', { for: id, class: 'check-label' }, opts.label), h('p', { class: 'hint', id: descId }, opts.description ?? ''), note),
  );
  return { el, input, note };
}

export function badge(text: string, tone: 'neutral' | 'success' | 'warning' | 'danger' | 'info' = 'neutral'): HTMLElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}
