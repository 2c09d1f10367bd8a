/**
 * Who a verified SAML assertion says signed in: all the rest of the service sees of SAML.
 * Built only from what node-saml verified (the signed assertion), never from unsigned XML.
 */
export interface SamlIdentity {
  nameId: string;
  nameIdFormat: string | null;
  /** The first email-like attribute (email, emailaddress, mail), if any. */
  email: string | null;
  /** Every attribute of the assertion, multi-valued as arrays of strings. */
  attributes: Record<string, string[]>;
  /** The assertion's Issuer. */
  issuer: string | null;
  /** The assertion ID (replay key). */
  assertionId: string;
  /** The AuthnRequest ID this answers (SP-initiated), or null for an unsolicited (IdP-initiated) response. */
  inResponseTo: string | null;
  /** Whether the assertion arrived encrypted. */
  encrypted: boolean;
  /** The earliest NotOnOrAfter of the assertion (Conditions, bearer SubjectConfirmationData). */
  notOnOrAfter: Date;
  /** The assertion's IssueInstant. */
  issueInstant: Date;
  /**
   * The last instant the time rules could still accept this assertion (its expiry or its maximum
   * age, whichever comes first, plus the clock skew): its replay record must outlive it.
   */
  acceptableUntil: Date;
}
