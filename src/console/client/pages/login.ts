import { Api, ApiError, errorMessage, tenantFromLocation } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import type { AuthOptions } from '../lib/types.js';
import { callout, Message } from '../lib/ui.js';

/** Password sign-in; says so when the organization enforces SAML. Everyone lands on /t/{tenant}/app. */
async function main(): Promise<void> {
  const slug = tenantFromLocation();
  const api = new Api(slug);
  const mainEl = document.getElementById('main') as HTMLElement;
  const appUrl = `/t/${slug}/app`;

  const [options, signedIn] = await Promise.all([
    api.get<AuthOptions>('auth/options').catch((err: unknown) => err as ApiError),
    api.get('me').then(
      () => true,
      () => false,
    ),
  ]);
  if (signedIn) {
    location.replace(appUrl);
    return;
  }
  if (options instanceof Error) {
    const unknown = options instanceof ApiError && options.status === 404;
    replace(
      mainEl,
      h(
        'div',
        { class: 'auth-layout' },
        h(
          'section',
          { class: 'card auth-card' },
          h('p', { class: 'brand-mark', 'aria-hidden': 'true' }, 'Latchkey'),
          h('h1', null, unknown ? 'Organization not found' : 'Sign-in is unavailable'),
          h('p', null, unknown ? `There is no organization called “${slug}”. Check the address you were given.` : errorMessage(options)),
          h('p', null, h('a', { href: '/', class: 'button' }, 'Choose another organization')),
        ),
      ),
    );
    return;
  }
  document.title = `Sign in · ${options.tenantName}`;

  const error = new Message('alert');
  const email = h('input', { id: 'email', name: 'email', type: 'email', class: 'input', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', class: 'input', autocomplete: 'current-password', required: true });
  // With Enforce SAML Login on and SP-initiated sign-on possible, "Sign in with SSO" is the page's
  // main action; the password form stays (an attempt shows why it is refused) but steps back.
  const ssoMain = options.samlEnforced && options.ssoLoginUrl !== null;
  const submit = h('button', { type: 'submit', class: ssoMain ? 'button block' : 'button primary block' }, 'Sign in');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    error.el,
    submit,
  );

  const invalid = (field: HTMLInputElement, text: string) => {
    field.setAttribute('aria-invalid', 'true');
    error.show(text);
    field.focus();
  };
  for (const field of [email, password]) field.addEventListener('input', () => field.removeAttribute('aria-invalid'));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    if (!email.value.trim()) return invalid(email, 'Enter your email address.');
    if (!password.value) return invalid(password, 'Enter your password.');
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    api
      .post('auth/login', { email: email.value.trim(), password: password.value })
      .then(() => location.assign(appUrl))
      .catch((err: unknown) => {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
        error.show(loginFailure(err));
        if (err instanceof ApiError && err.code === 'invalid_credentials') {
          password.value = '';
          password.focus();
        }
      });
  });

  const ssoButton = options.ssoLoginUrl
    ? h('a', { href: options.ssoLoginUrl, class: ssoMain ? 'button primary block' : 'button block', id: 'sso-signin' }, 'Sign in with SSO')
    : null;
  const sso = options.samlEnforced
    ? callout(
        'info',
        'Sign in from your identity provider',
        h(
          'p',
          null,
          options.tenantName,
          ssoMain
            ? ' uses single sign-on: choose Sign in with SSO, or open this app from your identity provider’s portal. Password sign-in is turned off.'
            : ' uses single sign-on. Open this app from your identity provider’s portal, such as Microsoft My Apps or the Okta dashboard. Password sign-in is turned off.',
        ),
      )
    : null;

  replace(
    mainEl,
    h(
      'div',
      { class: 'auth-layout' },
      h(
        'section',
        { class: 'card auth-card', 'aria-labelledby': 'signin-title' },
        h('p', { class: 'brand-mark', 'aria-hidden': 'true' }, 'Latchkey'),
        h('h1', { id: 'signin-title' }, 'Sign in to ', options.tenantName),
        sso,
        ssoMain ? ssoButton : null,
        form,
        !ssoMain && ssoButton ? h('p', { class: 'hint center' }, 'or') : null,
        ssoMain ? null : ssoButton,
        options.samlEnabled && !options.samlEnforced && !ssoButton ? h('p', { class: 'hint center' }, 'Your organization also offers single sign-on from your identity provider.') : null,
      ),
    ),
  );
  if (ssoMain) ssoButton?.focus();
  else if (!options.samlEnforced) email.focus();
}

function loginFailure(err: unknown): string {
  if (!(err instanceof ApiError)) return errorMessage(err);
  switch (err.code) {
    case 'invalid_credentials':
      return 'The email or password is not correct.';
    case 'inactive':
      return 'This account is deactivated. Ask your System Admin to reactivate it.';
    case 'saml_enforced':
      return 'Password sign-in is turned off for this organization. Sign in from your identity provider.';
    case 'too_many_attempts': {
      const seconds = err.retryAfterSeconds ?? 900;
      const minutes = Math.ceil(seconds / 60);
      const at = new Date(Date.now() + seconds * 1000);
      return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'} (after ${formatTime(at)}).`;
    }
    default:
      return err.message;
  }
}

void main();
