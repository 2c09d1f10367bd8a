import type { Api } from '../lib/api.js';
import { h, replace, uid } from '../lib/dom.js';
import { formatDateTime, formatRelative, licenseName, pluralize } from '../lib/format.js';
import { pageHeading, startPage, type PageContext } from '../lib/layout.js';
import { licenseCheckboxes, openEditDialog, PagedListPage, searchBox } from '../lib/list-controls.js';
import type { Group, GroupList, License } from '../lib/types.js';
import { callout } from '../lib/ui.js';

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

class GroupsPage extends PagedListPage<GroupList> {
  private readonly api: Api;

  constructor(
    ctx: PageContext,
    private readonly licenses: License[],
  ) {
    super('Groups pages', PAGE_SIZE, { one: 'group', many: 'groups' });
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

  protected fetchPage(query: { search: string; offset: number; limit: number }): Promise<GroupList> {
    return this.api.get<GroupList>('groups', query);
  }

  protected render(list: GroupList): void {
    if (this.summarize(list, 'No groups yet. They appear here when your identity provider pushes them over SCIM.')) return;
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
    const boxes = licenseCheckboxes(this.licenses, group.licenses);
    openEditDialog({
      title: 'Edit Group Licenses',
      subtitle: [h('strong', null, group.displayName), ' · ', pluralize(group.memberCount, 'member', 'members'), ' · SCIM'],
      fields: [
        h(
          'fieldset',
          { class: 'fieldset' },
          h('legend', null, 'Product User Licenses'),
          boxes.el,
          h('p', { class: 'hint' }, `Every member of ${group.displayName} holds these licenses while a member, in addition to their own. A change applies at once.`),
        ),
      ],
      submitLabel: 'Save Group Details',
      opener,
      save: () => this.api.patch<Group>(`groups/${encodeURIComponent(group.id)}`, { licenses: boxes.selected() }),
      saved: async (saved) => {
        this.status.show(`Saved the licenses of ${saved.displayName}.`, 5000);
        await this.load();
        this.focusEditButton(saved.id);
      },
      focus: () => boxes.focus(),
    });
  }

  /** load() rebuilt the rows: keep the keyboard on the row just edited. */
  private focusEditButton(groupId: string): void {
    const row = this.tableSlot.querySelector(`tr[data-group-id="${CSS.escape(groupId)}"]`);
    row?.querySelector<HTMLButtonElement>('.cell-actions button')?.focus();
  }
}
