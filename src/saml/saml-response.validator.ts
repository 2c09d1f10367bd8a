import { Injectable } from '@nestjs/common';
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import { AppConfig } from '../config/app-config.js';
import type { StoredSpKey } from '../tenancy/tenant-security-settings.entity.js';
import { decryptAssertion, type DecryptionKey } from './saml-assertion-decryption.js';
import type { SamlIdentity } from './saml-identity.js';
import { decodeSamlResponse, precheckDecryptedAssertion, precheckResponse, requireSignature } from './saml-response-precheck.js';
import { SamlSpKeyService } from './saml-sp-key.service.js';
import { SamlErrorCode, SamlException } from './saml.exception.js';
import { hasStrongKey, selectSigningCertificates } from './signature-signers.js';
import { decryptionKeys } from './sp-key-set.js';
import { emailClaimValues, normalizeAttributes } from './wire/saml-claims.js';

/** What one tenant trusts, read from its settings row for each request (nothing cached in-process). */
export interface SamlTrust {
  /** The ACS URL, which is also the SP entity ID (audience). */
  acsUrl: string;
  /** Canonical certificate PEMs; several during a key rollover. */
  certificates: string[];
  /** The IdP entity ID from uploaded metadata; when set, the assertion Issuer must equal it. */
  idpEntityId: string | null;
  /** The tenant's SP keys (sealed): an EncryptedAssertion is decrypted with them. */
  spKeys: readonly StoredSpKey[];
}

type X2J = { $?: Record<string, string | undefined>; _?: string; [k: string]: unknown };

function first(value: unknown): X2J | undefined {
  return Array.isArray(value) ? (value[0] as X2J | undefined) : undefined;
}

function mapNodeSamlError(err: unknown): SamlException {
  const message = err instanceof Error ? err.message : String(err);
  const reason = `node-saml: ${message.slice(0, 300)}`;
  if (/assertion expired/i.test(message)) return new SamlException(SamlErrorCode.Expired, reason);
  if (/not yet valid/i.test(message)) return new SamlException(SamlErrorCode.NotYetValid, reason);
  if (/audience/i.test(message)) return new SamlException(SamlErrorCode.AudienceMismatch, reason);
  if (/multiple assertions/i.test(message)) return new SamlException(SamlErrorCode.AssertionCount, reason);
  if (/signature/i.test(message)) return new SamlException(SamlErrorCode.SignatureInvalid, reason);
  if (err instanceof Error && err.name === 'SamlStatusError') return new SamlException(SamlErrorCode.StatusNotSuccess, reason);
  return new SamlException(SamlErrorCode.Invalid, reason);
}

/**
 * Validates a SAMLResponse for one tenant: the structural pre-checks (and, for an
 * EncryptedAssertion, decryption with the tenant's SP key and the same checks on the plaintext),
 * then node-saml (signature against the pinned certificates only, conditions, audience), then the
 * rules node-saml 5.1 skips (SubjectConfirmationData Recipient and NotOnOrAfter, assertion
 * Issuer, NameID present, one InResponseTo). Whether an InResponseTo answers a request of ours is
 * the login service's question (the database's). Returns the verified identity; throws
 * SamlException otherwise.
 */
@Injectable()
export class SamlResponseValidator {
  private readonly skewMs: number;
  private readonly maxAgeMs: number;

  constructor(
    config: AppConfig,
    private readonly spKeyService: SamlSpKeyService,
  ) {
    this.skewMs = config.SAML_CLOCK_SKEW_SECONDS * 1000;
    this.maxAgeMs = config.SAML_MAX_ASSERTION_AGE_SECONDS * 1000;
  }

  async validate(samlResponse: unknown, trust: SamlTrust, now: number = Date.now()): Promise<SamlIdentity> {
    const xml = decodeSamlResponse(samlResponse);
    const prechecked = precheckResponse(xml, trust.acsUrl);
    const signatures = [...prechecked.signatures];
    let decryptionKey: DecryptionKey | null = null;
    if (prechecked.encryptedAssertion) {
      // Decrypted here first, so the plaintext passes the XML limits and the structural checks
      // before node-saml (which decrypts again, with the one key that worked) builds its DOM.
      const keys = decryptionKeys(trust.spKeys).map((k) => ({ privateKeyPem: this.spKeyService.openPem(k) }));
      const decrypted = await decryptAssertion(prechecked.encryptedAssertion, keys);
      signatures.push(...precheckDecryptedAssertion(decrypted.doc));
      requireSignature(signatures, true);
      decryptionKey = decrypted.key;
    }
    // node-saml gets only the certificate(s) that signed: xml-crypto re-parses the whole
    // response once per certificate it is given. With one trusted certificate of a strong key (the
    // usual case) there is nothing to select, and selecting would verify every signature once more
    // (~10% of a sign-in's CPU): node-saml gets it directly, and the selection runs only when
    // node-saml refuses, so a refusal is the same as when the selection runs first.
    const single = trust.certificates.length === 1 && hasStrongKey(trust.certificates[0]!);
    const signers = single ? trust.certificates : selectSigningCertificates(signatures, trust.certificates);

    // Built per request from the stored PEMs: cheap, and never stale across instances.
    const saml = new SAML({
      idpCert: signers,
      issuer: trust.acsUrl,
      audience: trust.acsUrl,
      callbackUrl: trust.acsUrl,
      // Response OR Assertion signed (Entra signs the assertion, Okta the response).
      wantAssertionsSigned: false,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.never,
      acceptedClockSkewMs: this.skewMs,
      maxAssertionAgeMs: 0,
      disableRequestedAuthnContext: true,
      identifierFormat: null,
      signatureAlgorithm: 'sha256',
      // An encrypted assertion: its signature is verified after decryption unless the whole
      // Response is signed (node-saml's rule: the Response signature covers the ciphertext).
      ...(decryptionKey ? { decryptionPvk: decryptionKey.privateKeyPem } : {}),
    });
    let profile: Profile | null;
    try {
      ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: Buffer.from(xml, 'utf8').toString('base64') }));
    } catch (err) {
      if (single) selectSigningCertificates(signatures, trust.certificates);
      throw mapNodeSamlError(err);
    }
    if (!profile || typeof profile.getAssertion !== 'function') {
      throw new SamlException(SamlErrorCode.Invalid, 'node-saml returned no login profile');
    }
    const identity = this.checkVerifiedAssertion(profile, trust, now);
    // The Response's InResponseTo is unsigned when only the assertion is signed: it may only make
    // a response stricter (it must then match the signed one and answer a request of ours).
    const claimed = [...new Set([prechecked.inResponseTo, identity.inResponseTo].filter((v): v is string => v !== null))];
    if (claimed.length > 1) {
      throw new SamlException(SamlErrorCode.InResponseToMismatch, `Response InResponseTo "${claimed[0]!.slice(0, 80)}" differs from SubjectConfirmationData InResponseTo "${claimed[1]!.slice(0, 80)}"`);
    }
    return { ...identity, inResponseTo: claimed[0] ?? null, encrypted: decryptionKey !== null };
  }

  /** The rules node-saml 5.1 does not enforce, read from the signed assertion it returned. */
  private checkVerifiedAssertion(profile: Profile, trust: SamlTrust, now: number): SamlIdentity {
    const assertion = (profile.getAssertion!() as { Assertion?: X2J }).Assertion;
    const assertionId = assertion?.$?.ID;
    if (!assertion || !assertionId) throw new SamlException(SamlErrorCode.Invalid, 'the verified assertion has no ID');
    if (assertionId.length > 256) throw new SamlException(SamlErrorCode.Invalid, `the assertion ID is ${assertionId.length} characters long (at most 256)`);

    const issuer = typeof profile.issuer === 'string' ? profile.issuer.trim() : null;
    if (trust.idpEntityId && issuer !== trust.idpEntityId) {
      throw new SamlException(SamlErrorCode.IssuerMismatch, `assertion Issuer is "${issuer ?? ''}", expected "${trust.idpEntityId}" (from the uploaded metadata)`);
    }

    const deadlines: number[] = [];
    const conditionsEnd = first(assertion.Conditions)?.$?.NotOnOrAfter;
    if (conditionsEnd) deadlines.push(Date.parse(conditionsEnd));

    const confirmations = (first(assertion.Subject)?.SubjectConfirmation as X2J[] | undefined) ?? [];
    const inResponseTo = new Set<string>();
    for (const confirmation of confirmations) {
      for (const data of (confirmation.SubjectConfirmationData as X2J[] | undefined) ?? []) {
        const attrs = data.$ ?? {};
        if (attrs.Recipient !== undefined && attrs.Recipient !== trust.acsUrl) {
          throw new SamlException(SamlErrorCode.RecipientMismatch, `SubjectConfirmationData Recipient is "${attrs.Recipient}", expected "${trust.acsUrl}"`);
        }
        if (attrs.InResponseTo !== undefined) inResponseTo.add(attrs.InResponseTo);
        if (attrs.NotOnOrAfter !== undefined) {
          const end = Date.parse(attrs.NotOnOrAfter);
          if (Number.isNaN(end)) throw new SamlException(SamlErrorCode.Invalid, `SubjectConfirmationData NotOnOrAfter "${attrs.NotOnOrAfter}" is not a date`);
          if (now >= end + this.skewMs) {
            throw new SamlException(SamlErrorCode.Expired, `SubjectConfirmationData NotOnOrAfter ${attrs.NotOnOrAfter} is past (clock skew ${this.skewMs / 1000} s)`);
          }
          deadlines.push(end);
        }
        if (attrs.NotBefore !== undefined) {
          const start = Date.parse(attrs.NotBefore);
          if (Number.isNaN(start) || now + this.skewMs < start) {
            throw new SamlException(SamlErrorCode.NotYetValid, `SubjectConfirmationData NotBefore ${attrs.NotBefore} is in the future`);
          }
        }
      }
    }

    const valid = deadlines.filter((d) => !Number.isNaN(d));
    if (valid.length === 0) {
      throw new SamlException(SamlErrorCode.NoExpiry, 'the assertion has no expiry: neither Conditions nor SubjectConfirmationData carries NotOnOrAfter');
    }
    const notOnOrAfter = Math.min(...valid);
    const issueInstant = this.checkIssueInstant(assertion.$?.IssueInstant, now);

    const nameId = typeof profile.nameID === 'string' ? profile.nameID.trim() : '';
    if (!nameId) throw new SamlException(SamlErrorCode.MissingNameId, 'the assertion has no NameID');

    const attributes = normalizeAttributes(profile.attributes);
    return {
      nameId,
      nameIdFormat: typeof profile.nameIDFormat === 'string' ? profile.nameIDFormat : null,
      email: emailClaimValues(attributes)[0] ?? null,
      attributes,
      issuer,
      assertionId,
      inResponseTo: this.singleInResponseTo(inResponseTo),
      encrypted: false,
      notOnOrAfter: new Date(notOnOrAfter),
      issueInstant: new Date(issueInstant),
      // Both rules must hold, so the earlier deadline ends acceptance: a year-long NotOnOrAfter does
      // not keep a replay row for a year, since the age rule refuses the assertion after max age.
      acceptableUntil: new Date(Math.min(notOnOrAfter, issueInstant + this.maxAgeMs) + this.skewMs),
    };
  }

  private singleInResponseTo(values: Set<string>): string | null {
    if (values.size > 1) {
      throw new SamlException(SamlErrorCode.InResponseToMismatch, `the assertion's SubjectConfirmationData name ${values.size} different InResponseTo values`);
    }
    return values.values().next().value ?? null;
  }

  /** IssueInstant no older than SAML_MAX_ASSERTION_AGE_SECONDS and not in the future, both with the skew. */
  private checkIssueInstant(value: string | undefined, now: number): number {
    if (value === undefined) throw new SamlException(SamlErrorCode.Invalid, 'the assertion has no IssueInstant');
    const issued = Date.parse(value);
    if (Number.isNaN(issued)) throw new SamlException(SamlErrorCode.Invalid, `assertion IssueInstant "${value}" is not a date`);
    const skew = this.skewMs / 1000;
    if (issued > now + this.skewMs) {
      throw new SamlException(SamlErrorCode.TooOld, `assertion IssueInstant ${value} is in the future (clock skew ${skew} s)`);
    }
    if (now > issued + this.maxAgeMs + this.skewMs) {
      throw new SamlException(
        SamlErrorCode.TooOld,
        `assertion IssueInstant ${value} is ${Math.round((now - issued) / 1000)} s old, over SAML_MAX_ASSERTION_AGE_SECONDS=${this.maxAgeMs / 1000} (clock skew ${skew} s)`,
      );
    }
    return issued;
  }
}
