import { ApiError, errorMessage, type Api } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { commonName, formatDate, formatDateTime, pluralize } from '../lib/format.js';
import { pageHeading, startPage } from '../lib/layout.js';
import type { CertificateInfo, Me, SecuritySettings } from '../lib/types.js';
import { badge, callout, checkboxField, confirmDialog, copyField, Message } from '../lib/ui.js';

const EXPIRY_WARNING_DAYS = 30;
/** The API's limit for a certificate or metadata upload (CONTRACT: 400 over 1 MiB). */
const MAX_CERTIFICATE_BYTES = 1_048_576;
const DAY_MS = 86_400_000;

/**
 * System Settings > Security > SAML and SCIM. The names of the controls are the ones the
 * identity providers' setup guides use ("Enable SAML Sign-on", "Sign-on Page URL", …).
 */
void startPage({ nav: 'security', title: 'SAML and SCIM', adminOnly: true }, async ({ api, me, main }) => {
  const initial = await api.get<SecuritySettings>('settings/security');
  new SecurityPage(api, me, main, initial);
});

class SecurityPage {
  private readonly samlEnabled = checkboxField({
    label: 'Enable SAML Sign-on',
    description: 'People sign in from your identity provider’s portal, or with “Sign in with SSO” on the login page (SAML 2.0).',
  });
  private readonly signOnUrl = copyField({
    label: 'Sign-on Page URL',
    value: '',
    copyLabel: 'Copy Sign-on Page URL',
    hint: h('span', null, 'Paste it into Microsoft Entra ID’s ', h('strong', null, 'Identifier (Entity ID)'), ' and ', h('strong', null, 'Reply URL'), ', or into Okta’s ', h('strong', null, 'Sign-in page URL'), '.'),
  });
  private readonly idpSsoUrl = h('input', {
    id: 'idp-sso-url',
    type: 'url',
    class: 'input mono',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'https://login.microsoftonline.com/…/saml2',
    'aria-describedby': 'idp-sso-url-hint',
  });
  private readonly idpSsoUrlError = new Message('alert');
  private readonly loginUrl = copyField({
    label: 'SSO Login URL',
    value: '',
    copyLabel: 'Copy SSO Login URL',
    hint: h('span', null, 'Starts sign-in here (“Sign in with SSO” on the login page). Paste it into Microsoft Entra ID’s ', h('strong', null, 'Sign on URL'), ' for SP-initiated sign-on.'),
  });
  private readonly spCertificate = h('div', { class: 'field', id: 'sp-certificate' });
  private readonly certInput = h('input', {
    id: 'verification-certificate',
    type: 'file',
    class: 'file-input',
    accept: '.cer,.crt,.pem,.xml',
    'aria-describedby': 'verification-certificate-hint',
  });
  private readonly certError = new Message('alert');
  private readonly certStatus = new Message('status');
  private readonly certList = h('div', { class: 'cert-list' });
  private readonly enforce = checkboxField({
    label: 'Enforce SAML Login',
    description: 'Everyone, System Admins included, must sign in from the identity provider; password sign-in stops. If you get locked out, your operator can turn this off.',
  });
  private readonly enforceError = new Message('alert');
  private readonly metadataUrl = h('input', {
    id: 'metadata-url',
    type: 'url',
    class: 'input mono',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'https://login.microsoftonline.com/…/federationmetadata/2007-06/federationmetadata.xml?appid=…',
    'aria-describedby': 'metadata-url-hint metadata-url-state',
  });
  private readonly refreshMetadata = h('button', { type: 'button', class: 'button' }, 'Refresh now');
  private readonly metadataState = h('p', { class: 'hint', id: 'metadata-url-state' });
  /** The last refresh's failure, as the server keeps it (shown until a refresh succeeds). */
  private readonly metadataError = new Message('alert');
  private readonly metadataStatus = new Message('status');
  /** A Metadata URL the server refused on Save (400 invalid_url). */
  private readonly metadataUrlError = new Message('alert');

  private readonly scimEnabled = checkboxField({
    label: 'Enable SCIM Provisioning',
    description: 'Your identity provider creates, updates and deactivates users. Saving with this on the first time generates the SCIM token.',
  });
  private readonly scimError = new Message('alert');
  private readonly scimUrl = copyField({ label: 'SCIM URL', value: '', copyLabel: 'Copy SCIM URL', hint: 'Entra ID: Tenant URL. Okta: SCIM connector base URL.' });
  private readonly scimToken = copyField({ label: 'SCIM Token', value: '', copyLabel: 'Copy SCIM Token', secret: true, hint: '' });
  private readonly regenerate = h('button', { type: 'button', class: 'button danger-outline', 'aria-describedby': 'regenerate-hint' }, 'Regenerate');
  private readonly regenerateError = new Message('alert');
  private readonly regenerateStatus = new Message('status');

  private readonly save = h('button', { type: 'submit', class: 'button primary' }, 'Save');
  private readonly saveError = new Message('alert');
  private readonly saveStatus = new Message('status');
  private readonly dirtyNote = h('span', { class: 'dirty-note', hidden: true }, 'Unsaved changes');
  private readonly actionBar = h('div', { class: 'action-bar' });

  constructor(
    private readonly api: Api,
    private readonly me: Me,
    main: HTMLElement,
    private settings: SecuritySettings,
  ) {
    const form = h(
      'form',
      { class: 'settings-form', 'aria-label': 'SAML and SCIM settings', novalidate: true },
      this.samlSection(),
      this.scimSection(),
      this.actionBar,
    );
    this.actionBar.append(h('div', { class: 'action-bar-inner' }, h('div', { class: 'action-bar-messages' }, this.dirtyNote, this.saveStatus.el, this.saveError.el), this.save));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.onSave();
    });
    for (const box of [this.samlEnabled.input, this.enforce.input, this.scimEnabled.input]) box.addEventListener('change', () => this.syncControls());
    this.idpSsoUrl.addEventListener('input', () => {
      this.idpSsoUrl.removeAttribute('aria-invalid');
      this.syncControls();
    });
    this.metadataUrl.addEventListener('input', () => this.syncControls());
    this.refreshMetadata.addEventListener('click', () => void this.onRefreshMetadata());
    this.certInput.addEventListener('change', () => void this.onUpload());
    this.regenerate.addEventListener('click', () => void this.onRegenerate());

    replace(
      main,
      h(
        'div',
        { class: 'page-inner' },
        pageHeading('Security', 'SAML and SCIM', 'Let people sign in from your identity provider (Microsoft Entra ID, Okta, OneLogin, miniOrange) and let it provision their accounts.'),
        form,
      ),
    );
    this.applyServerState(true);
  }

  private samlSection(): HTMLElement {
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'saml-title' },
      h('h2', { id: 'saml-title', class: 'card-title' }, 'SAML single sign-on'),
      this.samlEnabled.el,
      this.signOnUrl.el,
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'idp-sso-url' }, 'IdP SSO URL'),
        this.idpSsoUrl,
        h(
          'p',
          { class: 'hint', id: 'idp-sso-url-hint' },
          'Your identity provider’s SAML sign-on endpoint (HTTP-Redirect), where “Sign in with SSO” sends people. Uploading the IdP’s metadata fills it in; saved with Save.',
        ),
        this.idpSsoUrlError.el,
      ),
      this.loginUrl.el,
      this.spCertificate,
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'verification-certificate' }, 'Verification Certificate'),
        h(
          'p',
          { class: 'hint', id: 'verification-certificate-hint' },
          'The X.509 signing certificate (RSA or DSA) from your identity provider as .cer, .crt or .pem, or its federation metadata .xml. It uploads as soon as you choose it and replaces the current one.',
        ),
        this.certInput,
        this.certStatus.el,
        this.certError.el,
        this.certList,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'metadata-url' }, 'Metadata URL'),
        h(
          'p',
          { class: 'hint', id: 'metadata-url-hint' },
          'Optional: where your identity provider publishes its metadata (Entra ID: App Federation Metadata Url; Okta: Metadata URL). Saved with Save; Latchkey then fetches it on a schedule and takes the signing certificates from it, so a rolled certificate is trusted before the old one stops working.',
        ),
        h('div', { class: 'input-group' }, this.metadataUrl, this.refreshMetadata),
        this.metadataUrlError.el,
        this.metadataState,
        this.metadataStatus.el,
        this.metadataError.el,
      ),
      this.enforce.el,
      this.enforceError.el,
    );
  }

  private scimSection(): HTMLElement {
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'scim-title' },
      h('h2', { id: 'scim-title', class: 'card-title' }, 'SCIM provisioning'),
      callout(
        'info',
        null,
        h('p', null, 'SCIM never assigns product licenses. After your identity provider provisions people, assign their licenses in the ', h('a', { href: `/t/${this.me.tenant.slug}/settings/users` }, 'User List'), '.'),
      ),
      this.scimEnabled.el,
      this.scimError.el,
      this.scimUrl.el,
      this.scimToken.el,
      h(
        'div',
        { class: 'field regenerate-row' },
        this.regenerate,
        h('p', { class: 'hint', id: 'regenerate-hint' }, 'Makes a new token and saves it at once; the old token stops working immediately.'),
        this.regenerateStatus.el,
        this.regenerateError.el,
      ),
    );
  }

  /** Shows the server's settings; `resetForm` also puts the checkboxes back to the saved values. */
  private applyServerState(resetForm: boolean): void {
    const s = this.settings;
    if (resetForm) {
      this.samlEnabled.input.checked = s.saml.enabled;
      this.enforce.input.checked = s.saml.enforceLogin;
      this.scimEnabled.input.checked = s.scim.enabled;
      this.metadataUrl.value = s.saml.metadataUrl ?? '';
    }
    this.renderMetadataState();
    this.signOnUrl.setValue(s.saml.signOnUrl);
    if (resetForm || !this.idpSsoUrlChanged()) this.idpSsoUrl.value = s.saml.idpSsoUrl ?? '';
    this.loginUrl.setValue(s.saml.signOnUrl.replace(/\/acs$/, '/login'));
    this.renderSpCertificate();
    this.renderCertificates(s.saml.certificates, s.saml.idpEntityId);
    this.scimUrl.setValue(s.scim.url ?? '');
    this.scimToken.setValue(s.scim.token ?? '');
    for (const f of [this.scimUrl, this.scimToken]) {
      f.input.placeholder = s.scim.url ? '' : 'Generated when SCIM is enabled';
      for (const b of f.el.querySelectorAll('button')) b.disabled = !s.scim.token;
    }
    const tokenHint = this.scimToken.el.querySelector('.hint');
    if (tokenHint) {
      tokenHint.textContent = `Entra ID: Secret Token. Okta: API Token.${s.scim.tokenCreatedAt ? ` Created ${formatDateTime(s.scim.tokenCreatedAt)}.` : ''}`;
    }
    this.regenerate.disabled = !s.scim.token;
    this.syncControls();
  }

  /** What may be switched on now, and why not; marks unsaved changes. */
  private syncControls(): void {
    const s = this.settings;
    const hasCert = s.saml.certificates.length > 0;
    const samlOn = this.samlEnabled.input.checked;

    // Enforce needs a certificate; it can always be switched off.
    this.enforce.input.disabled = !hasCert && !this.enforce.input.checked;
    let enforceNote = '';
    if (!hasCert) enforceNote = 'Upload a verification certificate first.';
    else if (!samlOn) enforceNote = 'Takes effect only while SAML Sign-on is enabled.';
    else if (this.enforce.input.checked && !s.saml.enforceLogin && this.me.signInMethod === 'password') {
      enforceNote = 'You signed in with a password: after saving, sign in from your identity provider next time.';
    }
    this.enforce.note.textContent = enforceNote;

    // SCIM needs SAML on with a certificate (saved together by Save, SAML first).
    const scimAllowed = samlOn && hasCert;
    this.scimEnabled.input.disabled = !scimAllowed && !this.scimEnabled.input.checked;
    this.scimEnabled.note.textContent = scimAllowed ? '' : 'SCIM needs SAML: enable SAML Sign-on and upload a verification certificate first.';

    const urlDirty = this.metadataUrl.value.trim() !== (s.saml.metadataUrl ?? '');
    this.refreshMetadata.disabled = !s.saml.metadataUrl || urlDirty;
    this.refreshMetadata.title = urlDirty ? 'Save the new Metadata URL first' : s.saml.metadataUrl ? '' : 'Enter and save a Metadata URL first';

    const dirty = this.isDirty();
    this.dirtyNote.hidden = !dirty;
    this.actionBar.classList.toggle('dirty', dirty);
  }

  private isDirty(): boolean {
    const s = this.settings;
    return (
      this.samlEnabled.input.checked !== s.saml.enabled ||
      this.enforce.input.checked !== s.saml.enforceLogin ||
      this.metadataUrl.value.trim() !== (s.saml.metadataUrl ?? '') ||
      this.scimEnabled.input.checked !== s.scim.enabled ||
      this.idpSsoUrlChanged()
    );
  }

  /** When the metadata was last fetched, and the last failure as an alert (the certificates shown are the ones kept). */
  private renderMetadataState(): void {
    const s = this.settings.saml;
    this.metadataState.textContent = !s.metadataUrl
      ? ''
      : s.metadataRefreshedAt
        ? `Last refreshed ${formatDateTime(s.metadataRefreshedAt)}.`
        : 'Not fetched successfully yet.';
    if (s.metadataError) this.metadataError.show(`The last metadata refresh failed: ${s.metadataError}. The certificates below are unchanged.`.replace(/\.\./g, '.'));
    else this.metadataError.clear();
  }

  private async onRefreshMetadata(): Promise<void> {
    this.metadataStatus.clear();
    this.refreshMetadata.disabled = true;
    this.metadataStatus.show('Fetching the metadata…');
    try {
      this.settings = await this.api.post<SecuritySettings>('settings/saml/metadata/refresh');
      const n = this.settings.saml.certificates.length;
      this.metadataStatus.show(`Metadata refreshed: ${pluralize(n, 'signing certificate', 'signing certificates')}.`, 6000);
    } catch (err) {
      this.metadataStatus.clear();
      // The server kept the failure in the settings: show them as they are now.
      try {
        this.settings = await this.api.get<SecuritySettings>('settings/security');
      } catch {
        this.metadataError.show(writeError(err));
      }
    } finally {
      this.applyServerState(false);
    }
  }

  /** The IdP SSO URL as typed, null when empty. */
  private typedIdpSsoUrl(): string | null {
    return this.idpSsoUrl.value.trim() || null;
  }

  private idpSsoUrlChanged(): boolean {
    return this.typedIdpSsoUrl() !== this.settings.saml.idpSsoUrl;
  }

  /** The SP certificate (made when SAML is first enabled) and where the SP metadata is. */
  private renderSpCertificate(): void {
    const cert = this.settings.saml.spCertificate;
    const metadataUrl = this.settings.saml.signOnUrl.replace(/\/acs$/, '/metadata');
    replace(
      this.spCertificate,
      h('h3', { class: 'field-label', id: 'sp-certificate-title' }, 'SP Certificate'),
      cert
        ? h(
            'dl',
            { class: 'details compact', 'aria-labelledby': 'sp-certificate-title' },
            h('div', null, h('dt', null, 'SHA-256 fingerprint'), h('dd', { class: 'mono fingerprint' }, cert.sha256Fingerprint)),
            h('div', null, h('dt', null, 'Expires'), h('dd', null, formatDate(cert.notAfter))),
          )
        : h('p', { class: 'empty-note' }, 'Created when SAML Sign-on is first enabled.'),
      h(
        'p',
        { class: 'hint' },
        'Latchkey signs its sign-in requests with this key, and identity providers that encrypt assertions encrypt to it. ',
        h('a', { href: metadataUrl, download: 'latchkey-sp-metadata.xml' }, 'Download SP metadata'),
        ' to give your identity provider both.',
      ),
    );
  }

  private renderCertificates(certs: CertificateInfo[], idpEntityId: string | null): void {
    if (certs.length === 0) {
      replace(this.certList, h('p', { class: 'empty-note' }, 'No certificate uploaded yet.'));
      return;
    }
    replace(
      this.certList,
      idpEntityId ? h('p', { class: 'hint' }, 'Identity provider: ', h('span', { class: 'mono' }, idpEntityId)) : null,
      certs.map((c) => certificateCard(c)),
    );
  }

  private async onUpload(): Promise<void> {
    const file = this.certInput.files?.[0];
    if (!file) return;
    this.certError.clear();
    if (file.size > MAX_CERTIFICATE_BYTES) {
      this.certError.show(`${file.name} was not accepted: it is over 1 MiB, which no certificate or metadata file is.`);
      this.certInput.value = '';
      return;
    }
    this.certStatus.show(`Uploading ${file.name}…`);
    const body = new FormData();
    try {
      // Read into memory first: the bytes then go up as they were chosen, even if the file changes on disk.
      body.append('file', new Blob([await file.arrayBuffer()], { type: file.type || 'application/octet-stream' }), file.name);
      this.settings = await this.api.post<SecuritySettings>('settings/saml/certificate', body);
      this.applyServerState(false);
      const names = this.settings.saml.certificates.map((c) => commonName(c.subject)).join(', ');
      this.certStatus.show(`Uploaded ${file.name}: ${names || 'certificate'}.`, 6000);
    } catch (err) {
      this.certStatus.clear();
      const kept = this.settings?.saml.certificates.length ? ' The current certificate is unchanged.' : '';
      this.certError.show(`${file.name} was not accepted: ${writeError(err)}.${kept}`.replace(/\.\./g, '.'));
    } finally {
      this.certInput.value = '';
    }
  }

  private async onSave(): Promise<void> {
    this.saveError.clear();
    this.saveStatus.clear();
    this.enforceError.clear();
    this.scimError.clear();
    this.idpSsoUrlError.clear();
    this.metadataUrlError.clear();
    if (!this.isDirty()) {
      this.saveStatus.show('Nothing to save: no changes.', 3000);
      return;
    }
    const s = this.settings;
    const metadataUrl = this.metadataUrl.value.trim() || null;
    const saml = {
      enabled: this.samlEnabled.input.checked,
      enforceLogin: this.enforce.input.checked,
      // Sent only when changed: a new URL is fetched while saving.
      ...(metadataUrl !== s.saml.metadataUrl ? { metadataUrl } : {}),
      ...(this.idpSsoUrlChanged() ? { idpSsoUrl: this.typedIdpSsoUrl() } : {}),
    };
    const scim = { enabled: this.scimEnabled.input.checked };
    const samlChanged = saml.enabled !== s.saml.enabled || saml.enforceLogin !== s.saml.enforceLogin || 'metadataUrl' in saml || 'idpSsoUrl' in saml;
    const scimChanged = scim.enabled !== s.scim.enabled;
    // SCIM depends on SAML: switch SAML on before SCIM, and SCIM off before SAML.
    const steps: ('saml' | 'scim')[] = scimChanged && !scim.enabled ? ['scim', 'saml'] : ['saml', 'scim'];

    this.save.disabled = true;
    try {
      for (const step of steps) {
        if (step === 'saml' && samlChanged) {
          try {
            this.settings = await this.api.put<SecuritySettings>('settings/saml', saml);
          } catch (err) {
            if (err instanceof ApiError && err.code === 'invalid_url' && err.message.startsWith('idpSsoUrl')) {
              this.idpSsoUrl.setAttribute('aria-invalid', 'true');
              this.idpSsoUrlError.show(`The IdP SSO URL was not saved: ${writeError(err)}`);
              this.idpSsoUrl.focus();
            } else {
              const target = err instanceof ApiError && err.code === 'certificate_required' ? this.enforceError : err instanceof ApiError && err.code === 'invalid_url' ? this.metadataUrlError : this.saveError;
              target.show(writeError(err));
            }
            return;
          }
        }
        if (step === 'scim' && scimChanged) {
          try {
            this.settings = await this.api.put<SecuritySettings>('settings/scim', scim);
          } catch (err) {
            this.scimError.show(writeError(err));
            return;
          }
        }
      }
      this.saveStatus.show('Saved.', 4000);
    } finally {
      this.save.disabled = false;
      // Show what the server holds now, keeping any change that did not get saved.
      const keep = { saml: this.samlEnabled.input.checked, enforce: this.enforce.input.checked, scim: this.scimEnabled.input.checked, metadataUrl: this.metadataUrl.value, idpSsoUrl: this.idpSsoUrl.value };
      const refused = this.saveError.el.textContent || this.enforceError.el.textContent || this.scimError.el.textContent || this.metadataUrlError.el.textContent || this.idpSsoUrlError.el.textContent;
      this.applyServerState(true);
      if (refused) {
        this.samlEnabled.input.checked = keep.saml;
        this.enforce.input.checked = keep.enforce;
        this.scimEnabled.input.checked = keep.scim;
        this.metadataUrl.value = keep.metadataUrl;
        this.idpSsoUrl.value = keep.idpSsoUrl;
        this.syncControls();
      }
    }
  }

  private async onRegenerate(): Promise<void> {
    this.regenerateError.clear();
    this.regenerateStatus.clear();
    const ok = await confirmDialog({
      title: 'Regenerate the SCIM token?',
      body: h(
        'div',
        null,
        h('p', null, 'The current token stops working at once, on every server. Your identity provider cannot provision users until you paste the new token into it.'),
        h('p', null, 'The new token is saved immediately; you do not need to click Save.'),
      ),
      confirmLabel: 'Regenerate token',
      danger: true,
    });
    this.regenerate.focus();
    if (!ok) return;
    this.regenerate.disabled = true;
    try {
      this.settings = await this.api.post<SecuritySettings>('settings/scim/token');
      this.applyServerState(false);
      this.regenerateStatus.show('New SCIM token generated. Copy it into your identity provider now.');
    } catch (err) {
      this.regenerateError.show(writeError(err));
    } finally {
      this.regenerate.disabled = !this.settings.scim.token;
    }
  }
}

function certificateCard(c: CertificateInfo): HTMLElement {
  const daysLeft = Math.floor((new Date(c.notAfter).getTime() - Date.now()) / DAY_MS);
  const expired = c.expired || daysLeft < 0;
  const soon = !expired && daysLeft <= EXPIRY_WARNING_DAYS;
  const state = expired ? badge('Expired', 'danger') : soon ? badge(`Expires in ${pluralize(daysLeft, 'day', 'days')}`, 'warning') : badge('Valid', 'success');
  const warning = expired
    ? callout('danger', null, h('p', null, `This certificate expired on ${formatDate(c.notAfter)}. Sign-ins signed with it are refused: upload the current certificate from your identity provider.`))
    : soon
      ? callout('warning', null, h('p', null, `This certificate expires on ${formatDate(c.notAfter)}. Upload the new certificate from your identity provider before then.`))
      : null;
  return h(
    'article',
    { class: 'cert', 'aria-label': `Certificate ${commonName(c.subject)}` },
    h('div', { class: 'cert-head' }, h('h3', { class: 'cert-name' }, commonName(c.subject)), state),
    warning,
    h(
      'dl',
      { class: 'details compact' },
      h('div', null, h('dt', null, 'Subject'), h('dd', null, c.subject)),
      h('div', null, h('dt', null, 'Issuer'), h('dd', null, c.issuer)),
      h('div', null, h('dt', null, 'Valid'), h('dd', null, `${formatDate(c.notBefore)} – ${formatDate(c.notAfter)}`)),
      h('div', null, h('dt', null, 'Key'), h('dd', null, `${c.keyAlgorithm}${c.keySize ? ` ${c.keySize}-bit` : ''}`)),
      h('div', null, h('dt', null, 'SHA-256 fingerprint'), h('dd', { class: 'mono fingerprint' }, c.sha256Fingerprint)),
    ),
  );
}

/** The API's message; a write route this server lacks (404) is said plainly. */
function writeError(err: unknown): string {
  if (err instanceof ApiError && err.status === 404 && err.code === 'not_found' && /^Cannot /.test(err.message)) {
    return 'This server does not support this change yet.';
  }
  return errorMessage(err);
}
