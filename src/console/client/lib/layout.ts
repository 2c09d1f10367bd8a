import { Api, ApiError, errorMessage, tenantFromLocation } from './api.js';
import { h, replace } from './dom.js';
import { fullName } from './format.js';
import type { Me } from './types.js';
import { callout } from './ui.js';

export type NavKey = 'app' | 'security' | 'users' | 'groups' | 'audit';

export interface PageContext {
  api: Api;
  me: Me;
  main: HTMLElement;
  slug: string;
  isAdmin: boolean;
}

export interface PageOptions {
  nav: NavKey;
  title: string;
  /** System Admin pages: anyone else sees a plain "only System Admins" message. */
  adminOnly?: boolean;
}

const NAV: { key: NavKey; label: string; path: string; admin: boolean }[] = [
  { key: 'app', label: 'Home', path: 'app', admin: false },
  { key: 'security', label: 'SAML and SCIM', path: 'settings/security', admin: true },
  { key: 'users', label: 'User List', path: 'settings/users', admin: true },
  { key: 'groups', label: 'Groups', path: 'settings/groups', admin: true },
  { key: 'audit', label: 'Audit Log', path: 'settings/audit', admin: true },
];

export function loginUrl(slug: string): string {
  return `/t/${slug}/login`;
}

/**
 * Boots a signed-in page: asks /me who is here (401: off to the login page), draws the header
 * with the tenant name and navigation, checks the role, then lets the page render into <main>.
 */
export async function startPage(opts: PageOptions, render: (ctx: PageContext) => Promise<void> | void): Promise<void> {
  const slug = tenantFromLocation();
  const main = document.getElementById('main') as HTMLElement;
  const root = document.getElementById('root') as HTMLElement;
  const api = new Api(slug);
  api.onUnauthenticated = () => location.replace(loginUrl(slug));

  let me: Me;
  try {
    me = await api.get<Me>('me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return; // on the way to the login page
    replace(main, h('div', { class: 'page-inner' }, callout('danger', 'This page could not load', errorMessage(err))));
    return;
  }
  api.csrfToken = me.csrfToken;
  const isAdmin = me.user.role === 'system_admin';
  document.title = `${opts.title} · ${me.tenant.name}`;
  root.insertBefore(header(api, me, opts.nav, isAdmin), main);
  main.replaceChildren();

  if (opts.adminOnly && !isAdmin) {
    replace(
      main,
      h(
        'div',
        { class: 'page-inner narrow' },
        h('h1', { class: 'page-title' }, opts.title),
        callout('warning', 'Only System Admins can open this page', h('p', null, 'Ask a System Admin of ', me.tenant.name, ' if you need a change here.')),
        h('p', null, h('a', { href: `/t/${slug}/app`, class: 'button' }, 'Back to Home')),
      ),
    );
    return;
  }
  try {
    await render({ api, me, main, slug, isAdmin });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    main.append(h('div', { class: 'page-inner' }, callout('danger', 'This page could not load', errorMessage(err))));
  }
}

function header(api: Api, me: Me, current: NavKey, isAdmin: boolean): HTMLElement {
  const slug = me.tenant.slug;
  const signOut = h('button', { type: 'button', class: 'button quiet' }, 'Sign out');
  signOut.addEventListener('click', () => {
    signOut.disabled = true;
    api
      .post('auth/logout')
      .catch(() => undefined) // signed out already, or the server is gone: the login page sorts it out
      .finally(() => location.assign(loginUrl(slug)));
  });
  const links = NAV.filter((n) => isAdmin || !n.admin).map((n) =>
    h('li', null, h('a', { href: `/t/${slug}/${n.path}`, class: 'nav-link', 'aria-current': n.key === current ? 'page' : null }, n.label)),
  );
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'topbar-inner' },
      h('a', { href: `/t/${slug}/app`, class: 'brand' }, h('span', { class: 'brand-logo', 'aria-hidden': 'true' }), h('span', { class: 'brand-text' }, h('span', { class: 'brand-tenant' }, me.tenant.name), h('span', { class: 'brand-product' }, 'Latchkey'))),
      links.length > 1 ? h('nav', { class: 'nav', 'aria-label': 'Main' }, h('ul', null, links)) : h('div', { class: 'nav' }),
      h(
        'div',
        { class: 'account' },
        h('span', { class: 'account-who' }, h('span', { class: 'account-name' }, fullName(me.user) || me.user.email), h('span', { class: 'account-email' }, me.user.email)),
        signOut,
      ),
    ),
  );
}

/** The title block every settings page starts with. */
export function pageHeading(section: string, title: string, intro?: string): HTMLElement {
  return h('div', { class: 'page-heading' }, h('p', { class: 'eyebrow' }, 'System Settings · ', section), h('h1', { class: 'page-title' }, title), intro ? h('p', { class: 'page-intro' }, intro) : null);
}
