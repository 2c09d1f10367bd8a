import { ApiError, errorMessage, type Api } from '../lib/api.js';
import { h, replace, uid } from '../lib/dom.js';
import { formatDateTime, formatRelative, fullName, licenseName, licenseSources, pluralize, roleName, viaText } from '../lib/format.js';
import { pageHeading, startPage, type PageContext } from '../lib/layout.js';
import { licenseCheckboxes, openEditDialog, PagedListPage, searchBox } from '../lib/list-controls.js';
import type { License, User, UserList } from '../lib/types.js';
import { badge, callout, checkboxField } from '../lib/ui.js';

const PAGE_SIZE = 25;

/** System Settings > Users > User List: licenses, role and activation, per user. */
void startPage({ nav: 'users', title: 'User List', adminOnly: true }, async (ctx) => {
  const licenses = await ctx.api.get<License[]>('licenses');
  const page = new UserListPage(ctx, licenses);
  await page.load();
});

class UserListPage extends PagedListPage<UserList> {
  private readonly api: Api;
  private readonly banner = h('div', { class: 'banner-slot' });

  constructor(
    private readonly ctx: PageContext,
    private readonly licenses: License[],
  ) {
    super('User List pages', PAGE_SIZE, { one: 'user', many: 'users' });
    this.api = ctx.api;
    const searchForm = searchBox({ id: 'user-search', label: 'Search users', name: 'Users', placeholder: 'Search by name or email', onSearch: (value) => this.applySearch(value) });

    replace(
      ctx.main,
      h(
        'div',
        { class: 'page-inner' },
        pageHeading('Users', 'User List', `Everyone who can sign in to ${ctx.me.tenant.name}: assign product licenses, roles and activation.`),
        this.banner,
        h('div', { class: 'toolbar' }, searchForm, this.summary),
        this.status.el,
        this.error.el,
        h('section', { class: 'card flush', 'aria-label': 'Users' }, this.tableSlot),
        this.pager,
      ),
    );
  }

  protected fetchPage(query: { search: string; offset: number; limit: number }): Promise<UserList> {
    return this.api.get<UserList>('users', query);
  }

  protected render(list: UserList): void {
    this.renderBanner(list);
    this.renderTable(list);
  }

  private renderBanner(list: UserList): void {
    const count = list.activeWithoutLicenses;
    const countText =
      count === undefined
        ? null
        : count === 0
          ? h('p', null, 'Every active user has at least one license.')
          : h('p', null, h('strong', null, pluralize(count, 'active user has', 'active users have'), ' no license'), ' and cannot use any product yet.');
    replace(
      this.banner,
      callout(
        count ? 'warning' : 'info',
        'Licenses are assigned here or by group',
        h(
          'p',
          null,
          'Users provisioned over SCIM get no product licenses automatically. Open Edit User Settings and choose their Product User Licenses, or give licenses to a group on the ',
          h('a', { href: `/t/${this.ctx.slug}/settings/groups` }, 'Groups'),
          ' page: its members hold them while they are members.',
        ),
        countText,
      ),
    );
  }

  private renderTable(list: UserList): void {
    if (this.summarize(list, 'No users yet.')) return;
    replace(
      this.tableSlot,
      h(
        'table',
        { class: 'table responsive' },
        h('caption', { class: 'visually-hidden' }, 'Users, sorted by email'),
        h(
          'thead',
          null,
          h('tr', null, h('th', { scope: 'col' }, 'User'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Source'), h('th', { scope: 'col' }, 'Licenses'), h('th', { scope: 'col' }, 'Last sign-in'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions'))),
        ),
        h(
          'tbody',
          null,
          list.items.map((u) => this.row(u)),
        ),
      ),
    );
  }

  private row(u: User): HTMLTableRowElement {
    const emailId = uid('user-email');
    const edit = h('button', { type: 'button', class: 'button small', 'aria-describedby': emailId }, 'Edit User Settings');
    edit.addEventListener('click', () => this.openEditor(u, edit));
    // Every license the user holds; one a group gives says so: "CRM (via Sales)".
    const sources = licenseSources(u);
    const licenses =
      sources.length > 0
        ? h(
            'span',
            { class: 'license-inline' },
            sources.map((l) => h('span', { class: l.groups.length > 0 && !l.direct ? 'license small via' : 'license small' }, licenseName(l.key), viaText(l))),
          )
        : h('span', { class: u.active ? 'muted warn-text' : 'muted' }, 'None');
    return h(
      'tr',
      { class: u.active ? null : 'inactive' },
      h(
        'td',
        { 'data-label': 'User', class: 'cell-user' },
        h(
          'div',
          { class: 'user-cell' },
          h('span', { class: 'user-name' }, fullName(u) || u.email, u.role === 'system_admin' ? badge(roleName(u.role), 'info') : null),
          h('span', { class: 'user-email', id: emailId }, u.email),
        ),
      ),
      h('td', { 'data-label': 'Status' }, statusBadge(u)),
      h('td', { 'data-label': 'Source' }, u.source === 'scim' ? 'SCIM' : 'Manual'),
      h('td', { 'data-label': 'Licenses' }, licenses),
      h('td', { 'data-label': 'Last sign-in' }, u.lastLoginAt ? h('time', { datetime: u.lastLoginAt, title: formatDateTime(u.lastLoginAt) }, formatRelative(u.lastLoginAt)) : h('span', { class: 'muted' }, 'Never')),
      h('td', { class: 'cell-actions' }, edit),
    );
  }

  private openEditor(user: User, opener: HTMLButtonElement): void {
    const boxes = licenseCheckboxes(this.licenses, user.licenses);
    const fromGroups = licenseSources(user).filter((l) => l.groups.length > 0);
    const roleId = uid('role');
    const role = h('select', { id: roleId, class: 'input select' }, h('option', { value: 'user' }, 'User'), h('option', { value: 'system_admin' }, 'System Admin'));
    role.value = user.role;
    const active = checkboxField({
      label: 'Active',
      checked: user.active,
      description: user.scimRemoved
        ? 'Removed by identity provider: this user cannot sign in. Only the identity provider can bring them back (assign them to the application again); licenses and role are kept meanwhile.'
        : user.source === 'scim'
          ? 'Inactive users cannot sign in and their sessions end at once. Your identity provider may change this over SCIM.'
          : 'Inactive users cannot sign in and their sessions end at once.',
    });
    active.input.disabled = user.scimRemoved;
    openEditDialog({
      title: 'Edit User Settings',
      subtitle: [h('strong', null, fullName(user) || user.email), ' · ', user.email, ' · ', user.source === 'scim' ? 'SCIM' : 'Manual', user.scimRemoved ? ' · Removed by identity provider' : null],
      fields: [
        h(
          'fieldset',
          { class: 'fieldset' },
          h('legend', null, 'Product User Licenses'),
          boxes.el,
          h('p', { class: 'hint' }, 'The user’s own licenses. Licenses a group gives are set on the Groups page and are not changed here.'),
          fromGroups.length > 0 ? h('p', { class: 'hint' }, 'From groups: ', fromGroups.map((l) => `${licenseName(l.key)}${viaText(l)}`).join(', '), '.') : null,
          user.source === 'scim' ? h('p', { class: 'hint' }, 'Provisioned over SCIM: licenses are only ever assigned here or to a group.') : null,
        ),
        h('div', { class: 'field' }, h('label', { for: roleId }, 'Role'), role),
        active.el,
      ],
      submitLabel: 'Save User Details',
      opener,
      save: () => this.api.patch<User>(`users/${encodeURIComponent(user.id)}`, {
          licenses: boxes.selected(),
          role: role.value,
          // Only the identity provider brings back a user it removed: activation is not sent for one.
          ...(user.scimRemoved ? {} : { active: active.input.checked }),
        }),
      saved: async (saved) => {
        this.status.show(`Saved the details of ${saved.email}.`, 5000);
        await this.load();
        // load() rebuilt the rows: keep the keyboard where it was.
        this.focusEditButton(saved.email);
      },
      failure: (err) => (err instanceof ApiError && err.code === 'last_admin' ? 'This is the last active System Admin. Make another user System Admin first.' : errorMessage(err)),
      focus: () => boxes.focus(),
    });
  }

  private focusEditButton(email: string): void {
    for (const cell of this.tableSlot.querySelectorAll('.user-email')) {
      if (cell.textContent === email) {
        cell.closest('tr')?.querySelector<HTMLButtonElement>('.cell-actions button')?.focus();
        return;
      }
    }
  }
}

/** Active, Inactive, or Removed by identity provider (SCIM DELETE: inactive, gone for SCIM, kept here). */
function statusBadge(u: User): HTMLElement {
  if (u.scimRemoved) return badge('Removed by identity provider', 'warning');
  return u.active ? badge('Active', 'success') : badge('Inactive', 'neutral');
}
