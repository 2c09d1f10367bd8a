// SAML: responses signed once with the fuzzer's key (see presignSaml), then truncated,
// re-nested, re-namespaced, oversized, duplicated, entity-laden, base64-damaged, with the
// RelayState and the form itself mutated; and IdP certificate uploads (JSON and multipart,
// malformed multipart, metadata with the hostile XML shapes).
import { enc, UNICODE } from '../prng.mjs';

/** `<pN:e xmlns:pN="urn:fz:N">` nested `depth` levels: each element declares a new prefix. */
export function nestedNamespaces(depth, inner = '') {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `<p${i}:e xmlns:p${i}="urn:fz:${i}">`;
    close = `</p${i}:e>${close}`;
  }
  return `${open}${inner}${close}`;
}

function afterRootStart(xml, insert) {
  const end = xml.indexOf('>', xml.indexOf('<', xml.startsWith('<?') ? xml.indexOf('?>') + 2 : 0));
  return `${xml.slice(0, end + 1)}${insert}${xml.slice(end + 1)}`;
}

function mutateXml(rng, xml) {
  const at = rng.int(0, xml.length);
  return rng.weighted([
    [3, () => xml.slice(0, at)],
    [3, () => afterRootStart(xml, nestedNamespaces(rng.size(6000)))],
    [1, () => xml.replace(/(<(?:saml2?:)?Assertion\b)/, `${nestedNamespaces(rng.size(3000), '')}$1`)],
    [2, () => { const d = rng.size(5000); return xml.replace(/(<(?:saml2?:)?Assertion\b[\s\S]*<\/(?:saml2?:)?Assertion>)/, `${'<saml2:Wrap xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">'.repeat(d)}$1${'</saml2:Wrap>'.repeat(d)}`); }],
    [2, () => xml.replace(/xmlns(:\w+)?="urn:oasis:names:tc:SAML:2.0:(assertion|protocol)"/, (m, p = '') => `xmlns${p}="urn:oasis:names:tc:SAML:2.0:${rng.pick(['protocol', 'assertion', 'x'])}" xmlns:ds="urn:evil"`)],
    [1, () => xml.replace(/<((?:saml2?:)?NameID)\b([^>]*)>/, `<$1$2><!--x-->`)],
    [2, () => afterRootStart(xml, rng.pick([`<!--${'x'.repeat(rng.size(190_000))}-->`, ' '.repeat(rng.size(190_000)), `<x>${'&amp;'.repeat(rng.size(38_000))}</x>`]))],
    [2, () => afterRootStart(xml, `<x>${'<y/>'.repeat(rng.size(45_000))}</x>`)],
    [2, () => xml.replace(/^(<[^?][^\s>]*)/m, `$1${Array.from({ length: rng.size(20_000) }, (_, i) => ` a${i}="v"`).join('')}`)],
    [1, () => xml.replace(/ ID="/, ' ID="dup" ID="')],
    [1, () => xml.replace(/(<(?:saml2?:)?Assertion\b[\s\S]*<\/(?:saml2?:)?Assertion>)/, '$1$1')],
    [1, () => xml.replace(/(<(?:saml2?:)?Attribute\b[\s\S]*?<\/(?:saml2?:)?Attribute>)/, (m) => m.repeat(rng.size(3000)))],
    [1, () => xml.replace(/(<(?:saml2?:)?Issuer\b[\s\S]*?<\/(?:saml2?:)?Issuer>)/, '$1$1')],
    [1, () => `<!DOCTYPE r [<!ENTITY a "${'x'.repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>${xml.replace(/(<(?:saml2?:)?NameID\b[^>]*>)/, '$1&c;')}`],
    [1, () => `<!DOCTYPE r SYSTEM "http://127.0.0.1:1/x.dtd">${xml}`],
    [1, () => `<?xml version="1.0" encoding="${rng.pick(['UTF-16', 'ISO-8859-1', 'EBCDIC', 'x'])}"?>${xml}`],
    [1, () => xml.replace(/@/, rng.pick(UNICODE) + '@')],
    [1, () => xml.replace(/<\/\w+:?\w*>$/, '')],
    [1, () => xml.replace(/<[\w:]+/g, (m) => (rng.chance(0.02) ? `${m}${rng.pick(['', ' xmlns=""', ' xmlns:a="b"', ' xml:base="x"'])}` : m))],
  ])();
}

function damageBase64(rng, b64) {
  const at = rng.int(0, b64.length);
  return rng.weighted([
    [2, () => b64.slice(0, at)],
    [1, () => `${b64.slice(0, at)}${rng.pick(['!', '-', '_', '=', ' ', '\n', '%', '\u00e9'])}${b64.slice(at)}`],
    [1, () => b64.replace(/=+$/, '')],
    [1, () => b64.replace(/\+/g, '-').replace(/\//g, '_')],
    [1, () => b64.replace(/(.{76})/g, '$1\r\n')],
    [1, () => `${b64}${'='.repeat(rng.int(1, 5))}`],
    [1, () => Buffer.from(b64).toString('base64')],
    [1, () => ''],
  ])();
}

function relayState(rng, ctx) {
  return rng.pick([`/t/${ctx.slug}/app`, '//evil.test', 'https://evil.test/', 'javascript:alert(1)', '/\\evil.test', `/t/${ctx.slug}/app\r\nSet-Cookie: x=1`, 'x'.repeat(rng.size(20_000)), `/t/${ctx.slug}/${rng.pick(UNICODE)}`, '%2F%2Fevil.test', '', '/']);
}

export function samlAcs(rng, ctx) {
  const slug = rng.weighted([[12, ctx.slug], [1, 'no-such-tenant'], [1, ctx.slug.toUpperCase()]]);
  const valid = rng.chance(0.07);
  const xml = valid ? rng.pick(ctx.saml) : mutateXml(rng, rng.pick(ctx.saml));
  let b64 = Buffer.from(xml, 'utf8').toString('base64');
  if (!valid && rng.chance(0.12)) b64 = damageBase64(rng, b64);
  const fields = [['SAMLResponse', b64]];
  if (rng.chance(0.5)) fields.push(['RelayState', rng.chance(0.6) ? `/t/${ctx.slug}/app` : relayState(rng, ctx)]);
  if (rng.chance(0.04)) fields.push(['SAMLResponse', rng.pick(['', b64, 'x'])]);
  if (rng.chance(0.03)) fields[0][0] = rng.pick(['SAMLResponse[]', 'samlresponse', 'SAMLRequest', 'SAMLResponse[a]']);
  let body = fields.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  if (rng.chance(0.03)) body = body.replace(/%2B/g, '+');
  if (rng.chance(0.02)) body += '&%=%zz';
  const headers = { 'content-type': rng.chance(0.94) ? 'application/x-www-form-urlencoded' : rng.pick(['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml']), origin: rng.pick(['null', 'https://idp.test']) };
  if (headers['content-type'] === 'application/json') body = JSON.stringify(Object.fromEntries(fields));
  return { method: rng.chance(0.97) ? 'POST' : 'GET', path: `/saml/${slug}/acs${rng.chance(0.05) ? '/' : ''}`, headers, body };
}

function metadata(rng, ctx, certBase64) {
  const key = `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  const xml = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://idp.fuzz.test/"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${key}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.fuzz.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
  if (rng.chance(0.15)) return xml;
  return rng.weighted([
    [4, () => mutateXml(rng, xml)],
    [1, () => xml.replace(key, key.repeat(rng.size(500)))],
    [1, () => xml.replace('<md:IDPSSODescriptor', `${nestedNamespaces(rng.size(30_000))}<md:IDPSSODescriptor`)],
  ])();
}

function pem(rng, ctx) {
  const body = ctx.certPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const at = rng.int(0, body.length);
  return rng.weighted([
    [2, () => ctx.certPem],
    [2, () => ctx.certPem.slice(0, rng.int(0, ctx.certPem.length))],
    [2, () => `-----BEGIN CERTIFICATE-----\n${body.slice(0, at)}${rng.pick(['A', '!', '', '===', 'AAAA'])}${body.slice(at + 1)}\n-----END CERTIFICATE-----\n`],
    [1, () => body],
    [1, () => `${ctx.certPem}\n${ctx.certPem}`],
    [1, () => `-----BEGIN CERTIFICATE-----\n${'QUFB'.repeat(rng.size(250_000))}\n-----END CERTIFICATE-----`],
    [1, () => ctx.keyPem.replace(/PRIVATE KEY/g, 'CERTIFICATE')],
    [1, () => rng.oddString()],
  ])();
}

function multipart(rng, file, filename) {
  const b = `----fz${rng.int(0, 1e9)}`;
  const head = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const body = rng.weighted([
    [4, () => `${head}${file}\r\n--${b}--\r\n`],
    [2, () => `${head}${file}`],
    [2, () => head],
    [1, () => `--${b}\r\nContent-Disposition: form-data; name="file"\r\n\r\n`],
    [2, () => head.replace('filename=', `filename="a.pem"; filename=`) + `${file}\r\n--${b}--\r\n`],
    [1, () => head.replace('name="file"', `name="${rng.pick(['', 'other', 'file"; name="x', 'f\u00fcle'])}"`) + `${file}\r\n--${b}--\r\n`],
    [1, () => `${head}${file}\r\n--${b}\r\n${head.slice(b.length + 4)}${file}\r\n--${b}--\r\n`],
    [1, () => `--${b}\r\n${'X-H: v\r\n'.repeat(rng.size(20_000))}\r\n${file}\r\n--${b}--\r\n`],
    [1, () => `--${b}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${b}--\r\n`],
    [1, () => `--${b}--\r\n`],
    [1, () => ''],
    [1, () => `${head}${file}\r\n--wrong--\r\n`],
    [1, () => Array.from({ length: rng.size(2000) }, (_, i) => `--${b}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`).join('') + `--${b}--\r\n`],
  ])();
  const type = rng.weighted([[9, `multipart/form-data; boundary=${b}`], [1, rng.pick(['multipart/form-data', 'multipart/form-data; boundary=', `multipart/form-data; boundary="${b}"`, `multipart/mixed; boundary=${b}`, `multipart/form-data; boundary=${'x'.repeat(rng.size(5000))}`])]]);
  return { type, body };
}

export function certificateUpload(rng, ctx) {
  const headers = { cookie: ctx.cookie, 'x-csrf-token': ctx.csrfToken };
  const path = `/api/t/${ctx.slug}/settings/saml/certificate`;
  const certBase64 = ctx.certPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const kind = rng.weighted([[3, 'json-cert'], [2, 'json-metadata'], [5, 'multipart']]);
  if (kind === 'json-cert') return { method: 'POST', path, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ certificate: rng.chance(0.1) ? [pem(rng, ctx)] : pem(rng, ctx) }) };
  if (kind === 'json-metadata') return { method: 'POST', path, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ metadata: metadata(rng, ctx, certBase64) }) };
  const file = rng.weighted([[3, () => pem(rng, ctx)], [2, () => metadata(rng, ctx, certBase64)], [1, () => Buffer.from(certBase64, 'base64').toString('latin1')]])();
  const { type, body } = multipart(rng, file, rng.pick(['idp.pem', 'idp.cer', 'metadata.xml', '../../x', '', 'é.pem', 'a'.repeat(rng.size(3000))]));
  return { method: 'POST', path, headers: { ...headers, 'content-type': type }, body: Buffer.from(body, 'latin1') };
}
