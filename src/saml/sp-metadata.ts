import { escapeHtml } from '../common/http/escape-html.js';

/**
 * SP metadata for one tenant: entity ID and HTTP-POST AssertionConsumerService are both the ACS
 * URL. No AuthnRequests are ever sent (IdP-initiated only), so no signing key is published.
 */
export function serviceProviderMetadata(acsUrl: string): string {
  const url = escapeHtml(acsUrl);
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${url}">
  <md:SPSSODescriptor AuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${url}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;
}
