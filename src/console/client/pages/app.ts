import { h, replace } from '../lib/dom.js';
import { formatRelative, fullName, licenseName, roleName } from '../lib/format.js';
import { startPage } from '../lib/layout.js';

/** Who is signed in, how, and which product licenses they hold (their own and their groups'). */
void startPage({ nav: 'app', title: 'Home' }, ({ me, main, slug, isAdmin }) => {
  const user = me.user;
  const method = me.signInMethod === 'saml' ? 'SAML single sign-on' : 'Password';
  const licenses =
    user.effectiveLicenses.length > 0
      ? h('ul', { class: 'license-list', 'aria-label': 'Your licenses' }, user.effectiveLicenses.map((key) => h('li', { class: 'license' }, licenseName(key))))
      : h('p', { class: 'empty-note' }, 'No licenses yet — ask your System Admin');
  const groups = user.groups.length > 0 ? h('div', null, h('dt', null, 'Groups'), h('dd', null, user.groups.map((g) => g.displayName).join(', '))) : null;

  const settings = isAdmin
    ? h(
        'section',
        { class: 'card', 'aria-labelledby': 'settings-title' },
        h('h2', { id: 'settings-title', class: 'card-title' }, 'System Settings'),
        h('p', { class: 'card-intro' }, 'You are a System Admin of ', me.tenant.name, '.'),
        h(
          'ul',
          { class: 'link-list' },
          h('li', null, h('a', { href: `/t/${slug}/settings/security` }, 'SAML and SCIM'), h('span', null, 'Single sign-on, verification certificate, SCIM provisioning')),
          h('li', null, h('a', { href: `/t/${slug}/settings/users` }, 'User List'), h('span', null, 'Product licenses, roles, activation')),
          h('li', null, h('a', { href: `/t/${slug}/settings/groups` }, 'Groups'), h('span', null, 'Licenses for the groups your identity provider sends')),
          h('li', null, h('a', { href: `/t/${slug}/settings/audit` }, 'Audit Log'), h('span', null, 'Sign-ins, SAML logins, SCIM and settings changes')),
        ),
      )
    : null;

  replace(
    main,
    h(
      'div',
      { class: 'page-inner' },
      h('div', { class: 'page-heading' }, h('h1', { class: 'page-title' }, 'Welcome, ', user.givenName || user.email)),
      h(
        'div',
        { class: 'grid-2' },
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'account-title' },
          h('h2', { id: 'account-title', class: 'card-title' }, 'Signed in'),
          h(
            'dl',
            { class: 'details' },
            h('div', null, h('dt', null, 'Name'), h('dd', null, fullName(user) || '—')),
            h('div', null, h('dt', null, 'Email'), h('dd', null, user.email)),
            h('div', null, h('dt', null, 'Signed in with'), h('dd', null, method)),
            h('div', null, h('dt', null, 'Role'), h('dd', null, roleName(user.role))),
            groups,
            user.lastLoginAt ? h('div', null, h('dt', null, 'Last sign-in'), h('dd', null, formatRelative(user.lastLoginAt))) : null,
          ),
        ),
        h('section', { class: 'card', 'aria-labelledby': 'licenses-title' }, h('h2', { id: 'licenses-title', class: 'card-title' }, 'Your licenses'), licenses),
      ),
      settings,
    ),
  );
});
