import { describe, expect, it } from '@jest/globals';
import { routeMetricLabels, scimOperation } from './route-labels.js';

describe('routeMetricLabels', () => {
  it('labels a route by its registered template, whatever path a request had', () => {
    expect(routeMetricLabels('/scim/v2/:tenant/Users/:id')).toEqual({ route: '/scim/v2/:tenant/Users/:id', scimResource: 'Users', scimItem: true });
    expect(routeMetricLabels('/api/t/:tenant/users/:id')).toEqual({ route: '/api/t/:tenant/users/:id', scimResource: null, scimItem: false });
    expect(routeMetricLabels('/saml/:tenant/acs')).toEqual({ route: '/saml/:tenant/acs', scimResource: null, scimItem: false });
  });

  it('names the SCIM resource from the segment after the tenant', () => {
    expect(routeMetricLabels('/scim/v2/:tenant/Users').scimResource).toBe('Users');
    expect(routeMetricLabels('/scim/v2/:tenant/Groups/*')).toMatchObject({ scimResource: 'Groups', scimItem: true });
    expect(routeMetricLabels('/scim/v2/:tenant/ServiceProviderConfig')).toMatchObject({ scimResource: 'ServiceProviderConfig', scimItem: false });
    expect(routeMetricLabels('/scim/v2/:tenant/Schemas/:id')).toMatchObject({ scimResource: 'Schemas', scimItem: true });
    expect(routeMetricLabels('/scim/v2/:tenant/Bulk').scimResource).toBe('Bulk');
    expect(routeMetricLabels('/scim/v2/:tenant/Users/')).toMatchObject({ scimResource: 'Users', scimItem: false });
  });

  it('folds an unknown SCIM resource into "other" (the label set stays fixed)', () => {
    expect(routeMetricLabels('/scim/v2/:tenant/Widgets').scimResource).toBe('other');
    expect(routeMetricLabels('/scim/v2/:tenant/').scimResource).toBe('other');
  });

  it('does not take a look-alike prefix for SCIM', () => {
    expect(routeMetricLabels('/scim/v2/tenant/Users').scimResource).toBeNull();
    expect(routeMetricLabels('/scim/v2/:tenant').scimResource).toBeNull();
  });
});

describe('scimOperation', () => {
  const users = '/scim/v2/:tenant/Users';
  const user = '/scim/v2/:tenant/Users/:id';

  it.each([
    ['GET', users, 'list'],
    ['HEAD', users, 'list'],
    ['POST', users, 'create'],
    ['GET', user, 'get'],
    ['PUT', user, 'replace'],
    ['PATCH', user, 'patch'],
    ['DELETE', user, 'delete'],
    ['POST', user, 'other'],
    ['PROPFIND', user, 'other'],
    ['GET', '/scim/v2/:tenant/ServiceProviderConfig', 'get'],
    ['GET', '/scim/v2/:tenant/ResourceTypes', 'list'],
  ])('%s %s is %s', (method, template, operation) => {
    expect(scimOperation(routeMetricLabels(template), method)).toBe(operation);
  });
});
