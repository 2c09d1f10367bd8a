import { errorMessage } from './api.js';
import { h, replace, uid, type Child } from './dom.js';
import { pluralize } from './format.js';
import { Message } from './ui.js';

/** A search form that applies its value once typing pauses (250 ms) or on Enter. */
export function searchBox(opts: { id: string; label: string; name: string; placeholder: string; onSearch: (value: string) => void }): HTMLFormElement {
  let timer: number | undefined;
  const input = h('input', { id: opts.id, type: 'search', class: 'input', placeholder: opts.placeholder, autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { role: 'search', class: 'search', 'aria-label': opts.name }, h('label', { for: opts.id, class: 'visually-hidden' }, opts.label), input);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    window.clearTimeout(timer);
    opts.onSearch(input.value);
  });
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => opts.onSearch(input.value), 250);
  });
  return form;
}

/** Previous, "Page n of m", Next; nothing when everything fits on one page. `go` gets the new offset. */
export function renderPager(pager: HTMLElement, page: { offset: number; pageSize: number; shown: number; total: number }, go: (offset: number) => void): void {
  const prev = h('button', { type: 'button', class: 'button small' }, 'Previous');
  const next = h('button', { type: 'button', class: 'button small' }, 'Next');
  prev.disabled = page.offset === 0;
  next.disabled = page.offset + page.shown >= page.total;
  prev.addEventListener('click', () => go(Math.max(0, page.offset - page.pageSize)));
  next.addEventListener('click', () => go(page.offset + page.pageSize));
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const current = Math.floor(page.offset / page.pageSize) + 1;
  if (pages <= 1) {
    pager.replaceChildren();
    return;
  }
  replace(pager, prev, h('span', { class: 'pager-label' }, `Page ${current} of ${pages}`), next);
}

/**
 * A searchable, paged table page (User List, Groups): the state (offset, search), the toolbar
 * summary, the table slot, the pager and the message slots. A page supplies how to fetch one page
 * and how to draw it.
 */
export abstract class PagedListPage<L extends { items: unknown[]; total: number }> {
  protected offset = 0;
  protected search = '';
  protected readonly summary = h('p', { class: 'toolbar-summary', 'aria-live': 'polite' });
  protected readonly tableSlot = h('div', { class: 'table-slot' });
  protected readonly pager: HTMLElement;
  protected readonly status = new Message('status');
  protected readonly error = new Message('alert');

  constructor(
    pagerLabel: string,
    private readonly pageSize: number,
    /** What one row is ("user", "users"), for the summary and the empty state. */
    private readonly noun: { one: string; many: string },
  ) {
    this.pager = h('nav', { class: 'pager', 'aria-label': pagerLabel });
  }

  protected abstract fetchPage(query: { search: string; offset: number; limit: number }): Promise<L>;
  protected abstract render(list: L): void;

  protected applySearch(value: string): void {
    const next = value.trim();
    if (next === this.search) return;
    this.search = next;
    this.offset = 0;
    void this.load();
  }

  async load(): Promise<void> {
    this.error.clear();
    this.tableSlot.setAttribute('aria-busy', 'true');
    let list: L;
    try {
      list = await this.fetchPage({ search: this.search, offset: this.offset, limit: this.pageSize });
    } catch (err) {
      this.error.show(errorMessage(err));
      return;
    } finally {
      this.tableSlot.removeAttribute('aria-busy');
    }
    if (list.items.length === 0 && this.offset > 0) {
      this.offset = Math.max(0, this.offset - this.pageSize);
      return this.load();
    }
    this.render(list);
    renderPager(this.pager, { offset: this.offset, pageSize: this.pageSize, shown: list.items.length, total: list.total }, (offset) => {
      this.offset = offset;
      void this.load();
    });
  }

  /** Writes "1–25 of 40 users" (or "No matches"); true when the page is empty, after drawing the empty state. */
  protected summarize(list: L, emptyText: string): boolean {
    const first = list.total === 0 ? 0 : this.offset + 1;
    const last = this.offset + list.items.length;
    this.summary.textContent = list.total === 0 ? (this.search ? 'No matches' : `No ${this.noun.many}`) : `${first}–${last} of ${pluralize(list.total, this.noun.one, this.noun.many)}`;
    if (list.items.length > 0) return false;
    replace(this.tableSlot, h('p', { class: 'empty-state' }, this.search ? `No ${this.noun.one} matches “${this.search}”.` : emptyText));
    return true;
  }
}

/** The "Product User Licenses" checkboxes of the user and group dialogs, `checked` ticked. */
export function licenseCheckboxes(licenses: readonly { key: string; name: string }[], checked: readonly string[]): { el: HTMLElement; selected(): string[]; focus(): void } {
  const boxes = licenses.map((l) => {
    const id = uid('license');
    const input = h('input', { type: 'checkbox', id, class: 'checkbox', value: l.key });
    input.checked = checked.includes(l.key);
    return { input, el: h('div', { class: 'check-inline' }, input, h('label', { for: id }, l.name)) };
  });
  return {
    el: h('div', { class: 'check-row' }, boxes.map((b) => b.el)),
    selected: () => boxes.filter((b) => b.input.checked).map((b) => b.input.value),
    focus: () => boxes[0]?.input.focus(),
  };
}

export interface EditDialogOptions<T> {
  title: string;
  subtitle: Child[];
  fields: Child[];
  submitLabel: string;
  /** The button that opened it: focus goes back there when the dialog closes. */
  opener: HTMLElement;
  /** Sends the change; a failure stays in the dialog as an alert (`failure` words it). */
  save(): Promise<T>;
  saved(result: T): Promise<void> | void;
  failure?(err: unknown): string;
  /** What takes the focus when the dialog opens. */
  focus?(): void;
}

/** A modal edit dialog (native dialog, Escape cancels) with Cancel and a submit button named `submitLabel`. */
export function openEditDialog<T>(opts: EditDialogOptions<T>): void {
  const titleId = uid('edit-title');
  const error = new Message('alert');
  const save = h('button', { type: 'submit', class: 'button primary' }, opts.submitLabel);
  const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
  const form = h('form', { class: 'stack', method: 'dialog', novalidate: true }, opts.fields, error.el, h('div', { class: 'dialog-actions' }, cancel, save));
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h('h2', { id: titleId, class: 'dialog-title' }, opts.title),
    h('p', { class: 'dialog-subtitle' }, opts.subtitle),
    form,
  );
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    opts.opener.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    save.disabled = true;
    opts
      .save()
      .then(async (result) => {
        dialog.close();
        await opts.saved(result);
      })
      .catch((err: unknown) => {
        save.disabled = false;
        error.show(opts.failure ? opts.failure(err) : errorMessage(err));
      });
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  opts.focus?.();
}
