import type { ErrorFormatter } from '../common/http/error-formatter.js';
import { failurePage, PAGE_HEADERS } from './saml-pages.js';

/**
 * Every failure under /saml/ (refused sign-ins, unknown tenants, a body over the ACS limit,
 * unexpected errors) is an HTML page a person can read, never JSON.
 */
export const samlHtmlErrorFormatter: ErrorFormatter = {
  matches: (url) => url.startsWith('/saml/') || url === '/saml',
  render: (failure) => ({
    contentType: PAGE_HEADERS['content-type']!,
    body: failurePage(failure.status, failure.status === 413 ? 'The SAML response is too large.' : failure.message),
    headers: PAGE_HEADERS,
  }),
};
