import { ApiError, errorMessage, type Api } from '../lib/api.js';
import { h, replace, uid } from '../lib/dom.js';
import { formatDateTime, formatRelative, fullName, licenseName, pluralize, roleName } from '../lib/format.js';
import { pageHeading, startPage, type PageContext } from '../lib/layout.js';
import type { License, User, UserList } from '../lib/types.js';
import { badge, callout, checkboxField, Message } from '../lib/ui.js';

const PAGE_SIZE = 25;

/** System Settings > Users > User List: licenses, role and activation, per user. */
void startPage({ nav: 'users', title: 'User List', adminOnly: true }, async (ctx) => {
  const licenses = await ctx.api.get<License[]>('licenses');
  const page = new UserListPage(ctx, licenses);
  await page.load();
});

class UserListPage {
  private readonly api: Api;
  private offset = 0;
  private search = '';
  private readonly banner = h('div', { class: 'banner-slot' });
  private readonly summary = h('p', { class: 'toolbar-summary', 'aria-live': 'polite' });
  private readonly tableSlot = h('div', { class: 'table-slot' });
  private readonly pager = h('nav', { class: 'pager', 'aria-label': 'User List pages' });
  private readonly status = new Message('status');
  private readonly error = new Message('alert');
  private searchTimer: number | undefined;

  constructor(
    private readonly ctx: PageContext,
    private readonly licenses: License[],
  ) {
    this.api = ctx.api;
    const searchInput = h('input', { id: 'user-search', type: 'search', class: 'input', placeholder: 'Search by name or email', autocomplete: 'off', spellcheck: 'false' });
    const searchForm = h('form', { role: 'search', class: 'search', 'aria-label': 'Users' }, h('label', { for: 'user-search', class: 'visually-hidden' }, 'Search users'), searchInput);
    searchForm.addEventListener('submit', (e) => {
      e.preventDefault();
      window.clearTimeout(this.searchTimer);
      this.applySearch(searchInput.value);
    });
    searchInput.addEventListener('input', () => {
      window.clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => this.applySearch(searchInput.value), 250);
    });

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
    let list: UserList;
    try {
      list = await this.api.get<UserList>('users', { search: this.search, offset: this.offset, limit: PAGE_SIZE });
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
    this.renderBanner(list);
    this.renderTable(list);
    this.renderPager(list);
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
        'Licenses are assigned here only',
        h('p', null, 'Users provisioned over SCIM get no product licenses automatically. Open Edit User Settings and choose their Product User Licenses.'),
        countText,
      ),
    );
  }

  private renderTable(list: UserList): void {
    const first = list.total === 0 ? 0 : this.offset + 1;
    const last = this.offset + list.items.length;
    this.summary.textContent = list.total === 0 ? (this.search ? 'No matches' : 'No users') : `${first}–${last} of ${pluralize(list.total, 'user', 'users')}`;
    if (list.items.length === 0) {
      replace(this.tableSlot, h('p', { class: 'empty-state' }, this.search ? `No user matches “${this.search}”.` : 'No users yet.'));
      return;
    }
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
    const licenses =
      u.licenses.length > 0
        ? h('span', { class: 'license-inline' }, u.licenses.map((k) => h('span', { class: 'license small' }, licenseName(k))))
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

  private renderPager(list: UserList): void {
    const prev = h('button', { type: 'button', class: 'button small' }, 'Previous');
    const next = h('button', { type: 'button', class: 'button small' }, 'Next');
    prev.disabled = this.offset === 0;
    next.disabled = this.offset + list.items.length >= list.total;
    prev.addEventListener('click', () => {
      this.offset = Math.max(0, this.offset - PAGE_SIZE);
      void this.load();
    });
    next.addEventListener('click', () => {
      this.offset += PAGE_SIZE;
      void this.load();
    });
    const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
    const current = Math.floor(this.offset / PAGE_SIZE) + 1;
    if (pages <= 1) {
      this.pager.replaceChildren();
      return;
    }
    replace(this.pager, prev, h('span', { class: 'pager-label' }, `Page ${current} of ${pages}`), next);
  }

  private openEditor(user: User, opener: HTMLButtonElement): void {
    const titleId = uid('edit-title');
    const error = new Message('alert');
    const boxes = this.licenses.map((l) => {
      const id = uid('license');
      const input = h('input', { type: 'checkbox', id, class: 'checkbox', value: l.key });
      input.checked = user.licenses.includes(l.key);
      return { input, el: h('div', { class: 'check-inline' }, input, h('label', { for: id }, l.name)) };
    });
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
    const save = h('button', { type: 'submit', class: 'button primary' }, 'Save User Details');
    const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
    const form = h(
      'form',
      { class: 'stack', method: 'dialog', novalidate: true },
      h(
        'fieldset',
        { class: 'fieldset' },
        h('legend', null, 'Product User Licenses'),
        h('div', { class: 'check-row' }, boxes.map((b) => b.el)),
        user.source === 'scim' ? h('p', { class: 'hint' }, 'Provisioned over SCIM: licenses are only ever assigned here.') : null,
      ),
      h('div', { class: 'field' }, h('label', { for: roleId }, 'Role'), role),
      active.el,
      error.el,
      h('div', { class: 'dialog-actions' }, cancel, save),
    );
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, class: 'dialog-title' }, 'Edit User Settings'),
      h(
        'p',
        { class: 'dialog-subtitle' },
        h('strong', null, fullName(user) || user.email),
        ' · ',
        user.email,
        ' · ',
        user.source === 'scim' ? 'SCIM' : 'Manual',
        user.scimRemoved ? ' · Removed by identity provider' : null,
      ),
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
      const body = {
        licenses: boxes.filter((b) => b.input.checked).map((b) => b.input.value),
        role: role.value,
        // Only the identity provider brings back a user it removed: activation is not sent for one.
        ...(user.scimRemoved ? {} : { active: active.input.checked }),
      };
      this.api
        .patch<User>(`users/${encodeURIComponent(user.id)}`, body)
        .then(async (saved) => {
          dialog.close();
          this.status.show(`Saved the details of ${saved.email}.`, 5000);
          await this.load();
          // load() rebuilt the rows: keep the keyboard where it was.
          this.focusEditButton(saved.email);
        })
        .catch((err: unknown) => {
          save.disabled = false;
          error.show(err instanceof ApiError && err.code === 'last_admin' ? 'This is the last active System Admin. Make another user System Admin first.' : errorMessage(err));
        });
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    boxes[0]?.input.focus();
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
