import {
  SCIM_DEFAULT_COUNT,
  SCIM_MAX_RESULTS,
  SCIM_RESOURCE_TYPE_SCHEMA,
  SCIM_SCHEMA_SCHEMA,
  SCIM_SERVICE_PROVIDER_CONFIG_SCHEMA,
  SCIM_USER_SCHEMA,
} from './scim-schemas.js';

/**
 * Discovery documents (RFC 7643 §5–7), true to what is implemented: Users only, PATCH, filters
 * with a result cap, weak ETags, index and cursor paging (RFC 9865 §4, index the default); no
 * bulk, sort or password change. `base` is {PUBLIC_URL}/scim/v2/{tenant}.
 */
export function serviceProviderConfig(base: string, cursorTimeoutSeconds: number) {
  return {
    schemas: [SCIM_SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'The SCIM Token shown on the SAML and SCIM settings page, sent as Authorization: Bearer <token>',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: SCIM_DEFAULT_COUNT,
      maxPageSize: SCIM_MAX_RESULTS,
      cursorTimeout: cursorTimeoutSeconds,
    },
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function userResourceType(base: string) {
  return {
    schemas: [SCIM_RESOURCE_TYPE_SCHEMA],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: SCIM_USER_SCHEMA,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
  };
}

const stringAttribute = (name: string, description: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

export function userSchema(base: string) {
  return {
    schemas: [SCIM_SCHEMA_SCHEMA],
    id: SCIM_USER_SCHEMA,
    name: 'User',
    description: 'User Account',
    attributes: [
      stringAttribute('userName', "The user's email address: unique within the tenant, not case-exact. REQUIRED.", { required: true, uniqueness: 'server' }),
      {
        name: 'name',
        type: 'complex',
        multiValued: false,
        description: "The components of the user's real name. givenName and familyName are REQUIRED.",
        required: true,
        subAttributes: [
          stringAttribute('givenName', 'The given name of the User, or first name in most Western languages. REQUIRED.', { required: true }),
          stringAttribute('familyName', 'The family name of the User, or last name in most Western languages. REQUIRED.', { required: true }),
        ],
        mutability: 'readWrite',
        returned: 'default',
        uniqueness: 'none',
      },
      stringAttribute('displayName', 'The name of the User, suitable for display, stored as sent (at most 400 characters); when never sent, "givenName familyName".'),
      {
        name: 'active',
        type: 'boolean',
        multiValued: false,
        description: "The user's administrative status. Users are created active; false deactivates. DELETE removes the user from SCIM; a later POST of its userName brings it back.",
        required: false,
        mutability: 'readWrite',
        returned: 'default',
      },
      {
        name: 'emails',
        type: 'complex',
        multiValued: true,
        description: 'Managed by Latchkey: exactly one work email equal to userName; values sent by clients are ignored.',
        required: false,
        subAttributes: [
          stringAttribute('value', 'Email address for the user (the userName).', { mutability: 'readOnly' }),
          stringAttribute('type', 'Always "work".', { mutability: 'readOnly', canonicalValues: ['work'] }),
          {
            name: 'primary',
            type: 'boolean',
            multiValued: false,
            description: 'Always true.',
            required: false,
            mutability: 'readOnly',
            returned: 'default',
          },
        ],
        mutability: 'readOnly',
        returned: 'default',
        uniqueness: 'none',
      },
    ],
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${SCIM_USER_SCHEMA}` },
  };
}
