import { CONSOLE_ASSETS_PREFIX } from './console-assets.js';
import { escapeHtml } from '../common/http/escape-html.js';

/** The console's pages; each has one browser module, dist/console/public/pages/{page}.js. */
export const CONSOLE_PAGES = ['login', 'app', 'security', 'users', 'groups', 'audit'] as const;
export type ConsolePage = (typeof CONSOLE_PAGES)[number];

/**
 * Strict CSP: scripts and styles only from this origin, no inline code, no framing.
 * The pages talk to nothing but the service's own JSON API.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export const CONSOLE_PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};


/**
 * The HTML every console page starts from: no data, no inline script. The page's module reads the
 * tenant from the URL, asks the JSON API who is signed in and renders the rest. `page` null: a
 * static page with no script (the organization chooser, not found).
 */
export function renderShell(page: ConsolePage | null, title: string, body = '<p class="loading" role="status">Loading…</p>'): string {
  const assets = CONSOLE_ASSETS_PREFIX;
  const script = page ? `\n<script type="module" src="${assets}pages/${page}.js"></script>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${escapeHtml(title)} · Latchkey</title>
<link rel="icon" href="${assets}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${assets}console.css">${script}
</head>
<body data-page="${page ?? 'static'}">
<a class="skip-link" href="#main">Skip to content</a>
<div id="root" class="shell">
<main id="main" class="page" tabindex="-1">${body}</main>
</div>
<noscript><p class="noscript">The Latchkey console needs JavaScript. Turn it on and reload the page.</p></noscript>
</body>
</html>
`;
}
