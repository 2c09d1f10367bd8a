import { errorMessage, type Api } from '../lib/api.js';
import { h, replace, uid } from '../lib/dom.js';
import { formatDateTime, formatRelative, licenseName, pluralize } from '../lib/format.js';
import { pageHeading, startPage, type PageContext } from '../lib/layout.js';
import { renderPager, searchBox } from '../lib/list-controls.js';
import type { Group, GroupList, License } from '../lib/types.js';
import { callout, Message } from '../lib/ui.js';

const PAGE_SIZE = 25;

/**
 * System Settings > Groups: the groups the identity provider pushed over SCIM, their member
 * counts, and the licenses each gives its members (the one thing an admin sets here).
 */
void startPage({ nav: 'groups', title: 'Groups', adminOnly: true }, async (ctx) => {
  const licenses = await ctx.api.get<License[]>('licenses');
  const page = new GroupsPage(ctx, licenses);
  await page.load();
});

class GroupsPage {
  private readonly api: Api;
  private offset = 0;
  private search = '';
  private readonly summary = h('p', { class: 'toolbar-summary', 'aria-live': 'polite' });
  private readonly tableSlot = h('div', { class: 'table-slot' });
  private readonly pager = h('nav', { class: 'pager', 'aria-label': 'Groups pages' });
  private readonly status = new Message('status');
  private readonly error = new Message('alert');

  constructor(
    ctx: PageContext,
    private readonly licenses: License[],
  ) {
    this.api = ctx.api;
    const searchForm = searchBox({ id: 'group-search', label: 'Search groups', name: 'Groups', placeholder: 'Search by group name', onSearch: (value) => this.applySearch(value) });
    replace(
      ctx.main,
      h(
        'div',
        { class: 'page-inner' },
        pageHeading('Users', 'Groups', `The groups your identity provider sends to ${ctx.me.tenant.name} over SCIM. Licenses given to a group apply to its members while they are members.`),
        callout(
          'info',
          'Groups come from your identity provider',
          h(
            'p',
            null,
            'Members join and leave as your identity provider changes them (Microsoft Entra ID: Provision Microsoft Entra ID Groups; Okta: Push Groups). Here you choose the licenses each group gives; a person’s own licenses stay on the ',
            h('a', { href: `/t/${ctx.slug}/settings/users` }, 'User List'),
            '.',
          ),
        ),
        h('div', { class: 'toolbar' }, searchForm, this.summary),
        this.status.el,
        this.error.el,
        h('section', { class: 'card flush', 'aria-label': 'Groups' }, this.tableSlot),
        this.pager,
      ),
    );
  }

  private applySearch(value: string): void {
    const next = value.trim();
    if (next === this.search) return;
    this.search = next;
    this.offset = 0;
    void this.load();
  }

  async load(): Promise<void> {
    this.error.clear();
    this.tableSlot.setAttribute('aria-busy', 'true');
    let list: GroupList;
    try {
      list = await this.api.get<GroupList>('groups', { search: this.search, offset: this.offset, limit: PAGE_SIZE });
    } catch (err) {
      this.error.show(errorMessage(err));
      return;
    } finally {
      this.tableSlot.removeAttribute('aria-busy');
    }
    if (list.items.length === 0 && this.offset > 0) {
      this.offset = Math.max(0, this.offset - PAGE_SIZE);
      return this.load();
    }
    this.renderTable(list);
    renderPager(this.pager, { offset: this.offset, pageSize: PAGE_SIZE, shown: list.items.length, total: list.total }, (offset) => {
      this.offset = offset;
      void this.load();
    });
  }

  private renderTable(list: GroupList): void {
    const first = list.total === 0 ? 0 : this.offset + 1;
    const last = this.offset + list.items.length;
    this.summary.textContent = list.total === 0 ? (this.search ? 'No matches' : 'No groups') : `${first}–${last} of ${pluralize(list.total, 'group', 'groups')}`;
    if (list.items.length === 0) {
      replace(
        this.tableSlot,
        h('p', { class: 'empty-state' }, this.search ? `No group matches “${this.search}”.` : 'No groups yet. They appear here when your identity provider pushes them over SCIM.'),
      );
      return;
    }
    replace(
      this.tableSlot,
      h(
        'table',
        { class: 'table responsive' },
        h('caption', { class: 'visually-hidden' }, 'Groups, sorted by name'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Group'),
            h('th', { scope: 'col' }, 'Members'),
            h('th', { scope: 'col' }, 'Licenses'),
            h('th', { scope: 'col' }, 'Updated'),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
          ),
        ),
        h(
          'tbody',
          null,
          list.items.map((g) => this.row(g)),
        ),
      ),
    );
  }

  private row(g: Group): HTMLTableRowElement {
    const nameId = uid('group-name');
    const edit = h('button', { type: 'button', class: 'button small', 'aria-describedby': nameId }, 'Edit Group Licenses');
    edit.addEventListener('click', () => this.openEditor(g, edit));
    const licenses =
      g.licenses.length > 0
        ? h('span', { class: 'license-inline' }, g.licenses.map((k) => h('span', { class: 'license small' }, licenseName(k))))
        : h('span', { class: 'muted' }, 'None');
    return h(
      'tr',
      { 'data-group-id': g.id },
      h(
        'td',
        { 'data-label': 'Group', class: 'cell-user' },
        h('div', { class: 'user-cell' }, h('span', { class: 'user-name group-name', id: nameId }, g.displayName), g.externalId ? h('span', { class: 'user-email' }, 'External ID ', g.externalId) : null),
      ),
      h('td', { 'data-label': 'Members' }, pluralize(g.memberCount, 'member', 'members')),
      h('td', { 'data-label': 'Licenses' }, licenses),
      h('td', { 'data-label': 'Updated' }, h('time', { datetime: g.updatedAt, title: formatDateTime(g.updatedAt) }, formatRelative(g.updatedAt))),
      h('td', { class: 'cell-actions' }, edit),
    );
  }

  private openEditor(group: Group, opener: HTMLButtonElement): void {
    const titleId = uid('edit-title');
    const error = new Message('alert');
    const boxes = this.licenses.map((l) => {
      const id = uid('license');
      const input = h('input', { type: 'checkbox', id, class: 'checkbox', value: l.key });
      input.checked = group.licenses.includes(l.key);
      return { input, el: h('div', { class: 'check-inline' }, input, h('label', { for: id }, l.name)) };
    });
    const save = h('button', { type: 'submit', class: 'button primary' }, 'Save Group Details');
    const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
    const form = h(
      'form',
      { class: 'stack', method: 'dialog', novalidate: true },
      h(
        'fieldset',
        { class: 'fieldset' },
        h('legend', null, 'Product User Licenses'),
        h('div', { class: 'check-row' }, boxes.map((b) => b.el)),
        h('p', { class: 'hint' }, `Every member of ${group.displayName} holds these licenses while a member, in addition to their own. A change applies at once.`),
      ),
      error.el,
      h('div', { class: 'dialog-actions' }, cancel, save),
    );
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, class: 'dialog-title' }, 'Edit Group Licenses'),
      h('p', { class: 'dialog-subtitle' }, h('strong', null, group.displayName), ' · ', pluralize(group.memberCount, 'member', 'members'), ' · SCIM'),
      form,
    );
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener.focus();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      error.clear();
      save.disabled = true;
      const body = { licenses: boxes.filter((b) => b.input.checked).map((b) => b.input.value) };
      this.api
        .patch<Group>(`groups/${encodeURIComponent(group.id)}`, body)
        .then(async (saved) => {
          dialog.close();
          this.status.show(`Saved the licenses of ${saved.displayName}.`, 5000);
          await this.load();
          this.focusEditButton(saved.id);
        })
        .catch((err: unknown) => {
          save.disabled = false;
          error.show(errorMessage(err));
        });
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    boxes[0]?.input.focus();
  }

  /** load() rebuilt the rows: keep the keyboard on the row just edited. */
  private focusEditButton(groupId: string): void {
    const row = this.tableSlot.querySelector(`tr[data-group-id="${CSS.escape(groupId)}"]`);
    row?.querySelector<HTMLButtonElement>('.cell-actions button')?.focus();
  }
}
