import type { AuditKind, User } from './types.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

export function formatTime(date: Date): string {
  return timeOnly.format(date);
}

/** "3 days ago", "in 2 hours", "just now". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
    ['month', 2592000],
    ['year', 31536000],
  ];
  let chosen: [Intl.RelativeTimeFormatUnit, number] = units[0]!;
  for (const unit of units) if (abs >= unit[1]) chosen = unit;
  return relative.format(Math.round(seconds / chosen[1]), chosen[0]);
}

export function fullName(user: Pick<User, 'givenName' | 'familyName'>): string {
  return `${user.givenName} ${user.familyName}`.trim();
}

export const LICENSE_NAMES: Record<string, string> = { crm: 'CRM', marketing: 'Marketing', service: 'Service' };

export function licenseName(key: string): string {
  return LICENSE_NAMES[key] ?? key;
}

export function roleName(role: User['role']): string {
  return role === 'system_admin' ? 'System Admin' : 'User';
}

export const AUDIT_KIND_NAMES: Record<AuditKind, string> = {
  auth: 'Sign-in',
  saml_login: 'SAML login',
  scim: 'SCIM',
  settings: 'Settings',
};

const ACTION_NAMES: Record<string, string> = {
  'login.password': 'Password sign-in',
  'login.saml': 'SAML sign-in',
  logout: 'Signed out',
  'user.create': 'User created',
  'user.update': 'User updated',
  'user.deactivate': 'User deactivated',
  'user.reactivate': 'User reactivated',
  'tenant.create': 'Organization created',
  'saml.update': 'SAML settings changed',
  'saml.certificate': 'Verification certificate uploaded',
  'saml.unenforce': 'Enforce SAML Login turned off (operator)',
  'saml.metadata_url': 'Metadata URL changed',
  'saml.metadata_refresh': 'IdP metadata refresh',
  'scim.enable': 'SCIM provisioning enabled',
  'scim.disable': 'SCIM provisioning disabled',
  'scim.token.regenerate': 'SCIM token regenerated',
};

/** A readable name for an audit action; unknown ones ("scim.user.create") become "Scim user create". */
export function actionName(action: string): string {
  const known = ACTION_NAMES[action];
  if (known) return known;
  const words = action.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The CN of an X.509 subject or issuer ("CN=Okta, O=Acme" → "Okta"), or the whole text. */
export function commonName(dn: string): string {
  const match = /(?:^|,\s*)CN=([^,]+)/.exec(dn);
  return match?.[1]?.trim() ?? dn;
}

export function pluralize(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
