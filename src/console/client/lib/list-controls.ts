import { h, replace } from './dom.js';

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
