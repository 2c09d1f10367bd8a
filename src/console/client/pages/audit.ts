import { errorMessage } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { actionName, AUDIT_KIND_NAMES, formatDateTime } from '../lib/format.js';
import { pageHeading, startPage, type PageContext } from '../lib/layout.js';
import type { AuditItem, AuditKind, AuditPage } from '../lib/types.js';
import { badge, Message } from '../lib/ui.js';

const PAGE_SIZE = 50;

/** The audit records: every sign-in, SAML login, SCIM write and settings change, newest first. */
void startPage({ nav: 'audit', title: 'Audit Log', adminOnly: true }, async (ctx) => {
  await new AuditLogPage(ctx).load();
});

class AuditLogPage {
  private kind = '';
  private outcome = '';
  /** `before` cursors of the pages behind the current one; the current page's cursor last. */
  private cursors: (string | undefined)[] = [undefined];
  private readonly tableSlot = h('div', { class: 'table-slot' });
  private readonly pager = h('nav', { class: 'pager', 'aria-label': 'Audit Log pages' });
  private readonly error = new Message('alert');

  constructor(private readonly ctx: PageContext) {
    const kind = h(
      'select',
      { id: 'audit-kind', class: 'input select' },
      h('option', { value: '' }, 'All kinds'),
      (Object.keys(AUDIT_KIND_NAMES) as AuditKind[]).map((k) => h('option', { value: k }, AUDIT_KIND_NAMES[k])),
    );
    const outcome = h('select', { id: 'audit-outcome', class: 'input select' }, h('option', { value: '' }, 'All outcomes'), h('option', { value: 'success' }, 'Success'), h('option', { value: 'failure' }, 'Failure'));
    const onFilter = () => {
      this.kind = kind.value;
      this.outcome = outcome.value;
      this.cursors = [undefined];
      void this.load();
    };
    kind.addEventListener('change', onFilter);
    outcome.addEventListener('change', onFilter);
    replace(
      ctx.main,
      h(
        'div',
        { class: 'page-inner' },
        pageHeading('Audit', 'Audit Log', 'Every sign-in, SAML login, SCIM change and settings change, with its outcome and reason. Newest first.'),
        h(
          'form',
          { class: 'toolbar filters', 'aria-label': 'Filter the Audit Log' },
          h('div', { class: 'field inline' }, h('label', { for: 'audit-kind' }, 'Kind'), kind),
          h('div', { class: 'field inline' }, h('label', { for: 'audit-outcome' }, 'Outcome'), outcome),
        ),
        this.error.el,
        h('section', { class: 'card flush', 'aria-label': 'Audit records' }, this.tableSlot),
        this.pager,
      ),
    );
  }

  async load(): Promise<void> {
    this.error.clear();
    this.tableSlot.setAttribute('aria-busy', 'true');
    let page: AuditPage;
    try {
      page = await this.ctx.api.get<AuditPage>('audit', { limit: PAGE_SIZE, before: this.cursors[this.cursors.length - 1], kind: this.kind, outcome: this.outcome });
    } catch (err) {
      this.error.show(errorMessage(err));
      return;
    } finally {
      this.tableSlot.removeAttribute('aria-busy');
    }
    this.renderTable(page.items);
    this.renderPager(page.next);
  }

  private renderTable(items: AuditItem[]): void {
    if (items.length === 0) {
      replace(this.tableSlot, h('p', { class: 'empty-state' }, this.kind || this.outcome ? 'No audit records match these filters.' : 'No audit records yet.'));
      return;
    }
    replace(
      this.tableSlot,
      h(
        'table',
        { class: 'table responsive' },
        h('caption', { class: 'visually-hidden' }, 'Audit records, newest first'),
        h(
          'thead',
          null,
          h('tr', null, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Event'), h('th', { scope: 'col' }, 'User'), h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'Reason')),
        ),
        h('tbody', null, items.map((e) => this.row(e))),
      ),
    );
  }

  private row(e: AuditItem): HTMLTableRowElement {
    const subject = e.target ?? e.actor;
    const by = e.actor && e.actor !== subject ? h('span', { class: 'sub' }, 'by ', e.actor) : null;
    return h(
      'tr',
      null,
      h(
        'td',
        { 'data-label': 'When', class: 'nowrap' },
        h('time', { datetime: e.at }, formatDateTime(e.at)),
        e.lastAt ? h('span', { class: 'sub' }, 'to ', h('time', { datetime: e.lastAt }, formatDateTime(e.lastAt))) : null,
      ),
      h('td', { 'data-label': 'Kind' }, AUDIT_KIND_NAMES[e.kind] ?? e.kind),
      h('td', { 'data-label': 'Event' }, h('span', null, actionName(e.action)), by),
      h('td', { 'data-label': 'User', class: 'break' }, subject ?? h('span', { class: 'muted' }, '—')),
      h(
        'td',
        { 'data-label': 'Outcome' },
        e.outcome === 'success' ? badge('Success', 'success') : badge('Failure', 'danger'),
        e.count > 1 ? h('span', { class: 'count', title: `${e.count} identical failures` }, ` ×${e.count}`) : null,
      ),
      h('td', { 'data-label': 'Reason', class: 'reason' }, e.reason ?? h('span', { class: 'muted' }, '—')),
    );
  }

  private renderPager(next: string | null): void {
    const newer = h('button', { type: 'button', class: 'button small' }, 'Newer');
    const older = h('button', { type: 'button', class: 'button small' }, 'Older');
    newer.disabled = this.cursors.length <= 1;
    older.disabled = next === null;
    newer.addEventListener('click', () => {
      this.cursors.pop();
      void this.load();
    });
    older.addEventListener('click', () => {
      if (next === null) return;
      this.cursors.push(next);
      void this.load();
    });
    if (this.cursors.length <= 1 && next === null) {
      this.pager.replaceChildren();
      return;
    }
    replace(this.pager, newer, h('span', { class: 'pager-label' }, `Page ${this.cursors.length}`), older);
  }
}
