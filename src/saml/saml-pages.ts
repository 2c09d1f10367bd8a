import { escapeHtml } from '../common/http/escape-html.js';

/** The ACS's HTML pages: self-contained (nothing loaded from outside), every value escaped. */

/** Headers every SAML page carries: no caching, no framing, no scripts, no outside resources. */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Latchkey</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}h1{font-size:1.4rem}code{background:#f2f2f2;padding:0 .25rem}.muted{color:#555;font-size:.9rem}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** GET on the ACS: what the URL is for, when a person opens it in a browser. */
export function signOnUrlPage(acsUrl: string, tenantName: string | null): string {
  return page(
    'SAML sign-on URL',
    `<h1>SAML sign-on URL${tenantName ? ` for ${escapeHtml(tenantName)}` : ''}</h1>
<p>This is the sign-on URL: <code>${escapeHtml(acsUrl)}</code>. It receives sign-ins sent by your identity provider; there is nothing to sign in with here.</p>
<p>Sign in from your identity provider (for example Microsoft My Apps or the Okta dashboard) by choosing this application.</p>`,
  );
}

/** A refused sign-in: the plain reason, and no detail an attacker could use. */
export function failurePage(status: number, message: string): string {
  const title = status === 404 ? 'Not found' : status === 413 ? 'Request too large' : status === 409 ? 'Single sign-on unavailable' : status === 429 ? 'Too many sign-ins' : status === 503 ? 'Try again shortly' : 'Sign-in failed';
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>
<p class="muted">Error ${status}. Nothing was signed in.</p>`,
  );
}
