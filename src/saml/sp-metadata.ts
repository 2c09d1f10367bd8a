import { escapeHtml } from '../common/http/escape-html.js';
import { certificateBase64 } from './sp-key-set.js';

/**
 * SP metadata for one tenant: entity ID and HTTP-POST AssertionConsumerService are both the ACS
 * URL. The tenant's SP certificates (the active one, and a rotation's next one) are published
 * for signing (AuthnRequests, which are always signed) and for encryption (IdPs that encrypt
 * assertions encrypt to them). A tenant that never enabled SAML has no key yet: no KeyDescriptor.
 */
export function serviceProviderMetadata(acsUrl: string, spCertificatePems: readonly string[] = []): string {
  const url = escapeHtml(acsUrl);
  const keyDescriptor = (use: 'signing' | 'encryption', pem: string) =>
    `    <md:KeyDescriptor use="${use}">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certificateBase64(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>${
        use === 'encryption'
          ? `
      <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes128-gcm"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>`
          : ''
      }
    </md:KeyDescriptor>
`;
  const keys = [...spCertificatePems.map((pem) => keyDescriptor('signing', pem)), ...spCertificatePems.map((pem) => keyDescriptor('encryption', pem))].join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${url}">
  <md:SPSSODescriptor AuthnRequestsSigned="${spCertificatePems.length > 0}" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
${keys}    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${url}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;
}
