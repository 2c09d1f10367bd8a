/** The route label of a request no route matched (404s, router errors): one series, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched';

/** What the metrics record of a route, decided once when the route is registered. */
export interface RouteMetricLabels {
  /** The registered template (`/scim/v2/:tenant/Users/:id`): the same for every request it matches. */
  route: string;
  /** The SCIM resource the route serves (`Users`, `ServiceProviderConfig`, …), or null outside SCIM. */
  scimResource: string | null;
  /** The template names one resource (`…/Users/:id`), not the collection. */
  scimItem: boolean;
}

const SCIM_PREFIX = '/scim/v2/:tenant/';
const SCIM_RESOURCES = new Set(['Users', 'Groups', 'Bulk', 'Me', 'ServiceProviderConfig', 'ResourceTypes', 'Schemas']);

/** The labels of a route, from its registered template (never from a request's path). */
export function routeMetricLabels(template: string): RouteMetricLabels {
  if (!template.startsWith(SCIM_PREFIX)) return { route: template, scimResource: null, scimItem: false };
  const [resource = '', ...rest] = template.slice(SCIM_PREFIX.length).split('/');
  return {
    route: template,
    scimResource: SCIM_RESOURCES.has(resource) ? resource : 'other',
    scimItem: rest.some((segment) => segment !== ''),
  };
}

/** The SCIM operation of a request on a SCIM route: list, get, create, replace, patch, delete or other. */
export function scimOperation(labels: RouteMetricLabels, method: string): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return labels.scimItem || labels.scimResource === 'ServiceProviderConfig' ? 'get' : 'list';
    case 'POST':
      return labels.scimItem ? 'other' : 'create';
    case 'PUT':
      return 'replace';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'other';
  }
}
