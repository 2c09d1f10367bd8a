import { ApiException } from '../common/http/api-exception.js';

/** Why a SAML sign-on was refused. Each code has one HTTP status and one public message. */
export enum SamlErrorCode {
  TenantNotFound = 'saml_tenant_not_found',
  SamlDisabled = 'saml_disabled',
  NoCertificate = 'saml_no_certificate',
  TooLarge = 'saml_too_large',
  Malformed = 'saml_malformed',
  DoctypeRefused = 'saml_doctype',
  XmlLimit = 'saml_xml_limit',
  StatusNotSuccess = 'saml_status',
  AssertionCount = 'saml_assertion_count',
  EncryptionAlgorithm = 'saml_encryption_algorithm',
  DecryptionFailed = 'saml_decryption_failed',
  Unsigned = 'saml_unsigned',
  WeakAlgorithm = 'saml_weak_algorithm',
  SignatureInvalid = 'saml_signature_invalid',
  WeakKey = 'saml_weak_key',
  DestinationMismatch = 'saml_destination',
  RecipientMismatch = 'saml_recipient',
  AudienceMismatch = 'saml_audience',
  Expired = 'saml_expired',
  NoExpiry = 'saml_no_expiry',
  TooOld = 'saml_too_old',
  NotYetValid = 'saml_not_yet_valid',
  IssuerMismatch = 'saml_issuer',
  InResponseToUnknown = 'saml_in_response_to_unknown',
  InResponseToExpired = 'saml_in_response_to_expired',
  InResponseToReused = 'saml_in_response_to_reused',
  InResponseToMismatch = 'saml_in_response_to_mismatch',
  MissingNameId = 'saml_missing_name_id',
  Replay = 'saml_replay',
  UnknownUser = 'saml_unknown_user',
  InactiveUser = 'saml_inactive_user',
  Invalid = 'saml_invalid',
  // GET /saml/{tenant}/login (SP-initiated sign-on)
  LoginDisabled = 'saml_login_disabled',
  NoIdpSsoUrl = 'saml_no_idp_sso_url',
  RelayStateTooLong = 'saml_relay_state_too_long',
  TooManyAuthnRequests = 'saml_too_many_authn_requests',
}

const ADMIN = 'Ask your System Admin to check the SAML settings.';

/** Status and the message shown on the failure page (plain words a user or an admin can act on). */
export const SAML_ERRORS: Record<SamlErrorCode, { status: number; message: string }> = {
  [SamlErrorCode.TenantNotFound]: { status: 404, message: 'There is no organization at this address. Check the Sign-on Page URL configured in your identity provider.' },
  [SamlErrorCode.SamlDisabled]: { status: 403, message: 'SAML sign-on is not enabled for this organization. Ask your System Admin to enable it.' },
  [SamlErrorCode.NoCertificate]: { status: 403, message: 'No verification certificate has been uploaded for this organization, so no SAML response can be trusted yet. Ask your System Admin to upload the identity provider\'s certificate.' },
  [SamlErrorCode.TooLarge]: { status: 413, message: 'The SAML response is too large.' },
  [SamlErrorCode.Malformed]: { status: 400, message: 'The request does not carry a readable SAML response. Start the sign-in again from your identity provider.' },
  [SamlErrorCode.DoctypeRefused]: { status: 400, message: 'The SAML response contains a document type declaration (DOCTYPE), which SAML does not allow.' },
  [SamlErrorCode.XmlLimit]: { status: 400, message: 'The SAML response is too complex to be read (it exceeds a limit on the size or nesting of its XML).' },
  [SamlErrorCode.StatusNotSuccess]: { status: 403, message: 'Your identity provider reported that the sign-in did not succeed.' },
  [SamlErrorCode.AssertionCount]: { status: 403, message: 'The SAML response must contain exactly one assertion.' },
  [SamlErrorCode.EncryptionAlgorithm]: { status: 403, message: 'The SAML assertion is encrypted with an algorithm that is not accepted. The identity provider must use AES-128 or AES-256 (CBC or GCM) with RSA-OAEP key transport.' },
  [SamlErrorCode.DecryptionFailed]: { status: 403, message: `The encrypted SAML assertion could not be decrypted with this organization's SP key. The identity provider must encrypt to the certificate published in this organization's SP metadata. ${ADMIN}` },
  [SamlErrorCode.Unsigned]: { status: 403, message: `The SAML response is not signed. The identity provider must sign the response or the assertion. ${ADMIN}` },
  [SamlErrorCode.WeakAlgorithm]: { status: 403, message: 'The SAML response is signed with SHA-1, which is not accepted. Set the identity provider\'s signing algorithm to SHA-256.' },
  [SamlErrorCode.SignatureInvalid]: { status: 403, message: 'The SAML response\'s signature does not verify with the certificate uploaded for this organization. Ask your System Admin to upload the identity provider\'s current signing certificate.' },
  [SamlErrorCode.WeakKey]: { status: 403, message: 'The SAML response is signed with a key shorter than 2048 bits, which is not accepted. Ask your System Admin to upload the identity provider\'s current signing certificate (RSA 2048 bits or more).' },
  [SamlErrorCode.DestinationMismatch]: { status: 403, message: `The SAML response was addressed to another sign-on URL. ${ADMIN}` },
  [SamlErrorCode.RecipientMismatch]: { status: 403, message: `The SAML assertion was issued for another sign-on URL. ${ADMIN}` },
  [SamlErrorCode.AudienceMismatch]: { status: 403, message: `The SAML assertion was issued for another application (audience). The identity provider's Identifier (Entity ID) must be this organization's Sign-on Page URL. ${ADMIN}` },
  [SamlErrorCode.Expired]: { status: 403, message: 'The SAML response has expired. Start the sign-in again from your identity provider.' },
  [SamlErrorCode.NoExpiry]: { status: 403, message: 'The SAML assertion carries no expiry (NotOnOrAfter), which is required. Ask your System Admin to check the identity provider.' },
  [SamlErrorCode.TooOld]: { status: 403, message: 'The SAML response was issued too long ago (or its issue time is in the future). Start the sign-in again from your identity provider, and check the clocks of the identity provider and this service.' },
  [SamlErrorCode.NotYetValid]: { status: 403, message: 'The SAML response is not valid yet (check the clocks of the identity provider and this service).' },
  [SamlErrorCode.IssuerMismatch]: { status: 403, message: `The SAML response comes from an identity provider other than the one configured for this organization. ${ADMIN}` },
  [SamlErrorCode.InResponseToUnknown]: { status: 403, message: 'The SAML response answers a sign-in request this organization never sent. Start the sign-in again.' },
  [SamlErrorCode.InResponseToExpired]: { status: 403, message: 'The sign-in request this SAML response answers has expired (sign-in must finish within 5 minutes). Start the sign-in again.' },
  [SamlErrorCode.InResponseToReused]: { status: 403, message: 'The sign-in request this SAML response answers has already been used. Start the sign-in again.' },
  [SamlErrorCode.InResponseToMismatch]: { status: 403, message: 'The SAML response names two different sign-in requests (InResponseTo). Start the sign-in again.' },
  [SamlErrorCode.MissingNameId]: { status: 403, message: `The SAML assertion does not name the user (no NameID). ${ADMIN}` },
  [SamlErrorCode.Replay]: { status: 403, message: 'This SAML response has already been used. Start the sign-in again from your identity provider.' },
  [SamlErrorCode.UnknownUser]: { status: 403, message: 'There is no account for this user in this organization. Ask your System Admin.' },
  [SamlErrorCode.InactiveUser]: { status: 403, message: 'This account is deactivated. Ask your System Admin to reactivate it.' },
  [SamlErrorCode.Invalid]: { status: 400, message: 'The SAML response could not be validated. Start the sign-in again from your identity provider.' },
  [SamlErrorCode.LoginDisabled]: { status: 409, message: 'Single sign-on is not enabled for this organization. Sign in with your email and password, or ask your System Admin.' },
  [SamlErrorCode.NoIdpSsoUrl]: { status: 409, message: 'Sign-in with SSO is not set up for this organization: the identity provider\'s sign-on URL is not known. Sign in from your identity provider\'s portal, or ask your System Admin to enter the IdP SSO URL.' },
  [SamlErrorCode.RelayStateTooLong]: { status: 400, message: 'The page to return to after sign-in (RelayState) is too long.' },
  [SamlErrorCode.TooManyAuthnRequests]: { status: 429, message: 'Too many sign-ins were started from your network in the last few minutes. Wait a moment and try again.' },
};

/**
 * A refused SAML sign-on. `reason` is the precise cause for the log and the audit record; the
 * page shows the code's public message (or `publicMessage` when the user must see a detail).
 */
/** Longest reason kept from a refused SAML response. */
export const MAX_REASON_LENGTH = 500;

export class SamlException extends ApiException {
  /** The precise reason for the log and the audit record, cut to MAX_REASON_LENGTH characters. */
  readonly reason: string;

  constructor(
    readonly samlCode: SamlErrorCode,
    reason: string,
    publicMessage?: string,
    headers: Record<string, string> = {},
  ) {
    const { status, message } = SAML_ERRORS[samlCode];
    super(status, samlCode, publicMessage ?? message, {}, headers);
    // Reasons quote the unauthenticated response (Destination, algorithm URIs, element names):
    // an attacker must not be able to write 180 KB into the audit log or a log line.
    this.reason = reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
  }
}
