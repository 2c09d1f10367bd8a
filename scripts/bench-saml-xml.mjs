#!/usr/bin/env node
// CPU cost of one ACS validation (SamlResponseValidator.validate: pre-scan, pre-check, signer
// selection, node-saml, xml-crypto), in process, no HTTP and no database: the median CPU ms of
// --runs runs per case, with 1 and with 4 stored certificates (the signer last).
//
//   npm run build && node scripts/bench-saml-xml.mjs [--runs 5] [--dist dist]
//
// Every body is a genuinely signed Entra-shaped response (assertion signed); the hostile ones
// carry their payload in samlp:Extensions, which the assertion signature does not cover, so they
// travel the whole validation path, as an attacker with any account at the IdP could make them.
// Not a timed test: a benchmark, with the figures quoted in the README.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTestHelpers } from './lib/test-helpers.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, dist: { type: 'string', default: 'dist' } } });
const dist = resolve(values.dist);
const { SamlResponseValidator } = await import(pathToFileURL(`${dist}/saml/saml-response.validator.js`).href);
const { generateTestCertificate, buildIdpResponse, nestedNamespaceDeclarations, inResponseExtensions } = await loadTestHelpers();

const ACS = 'http://localhost:3000/saml/bench/acs';
const MAX_XML = Math.floor((256 * 1024 * 3) / 4) - 20_000; // what fits a 256 KiB base64 SAMLResponse, less the signed response itself
const idp = generateTestCertificate({ cn: 'Bench IdP' });
const others = [1, 2, 3].map(() => generateTestCertificate({ cn: 'Other IdP key' }).certPem);
const validator = new SamlResponseValidator({ SAML_CLOCK_SKEW_SECONDS: 60, SAML_MAX_ASSERTION_AGE_SECONDS: 300 });

/**
 * Blocks nested 11 deep, each element declaring 2 prefixes (23 in scope with the root's: the
 * in-scope limit is 24), as many as the namespace weight left allows, then plain elements up to
 * the element budget.
 */
function worstAcceptedNamespaces(budget) {
  let out = '';
  let elements = 0;
  let weight = 0;
  const weightLeft = WEIGHT - 2 * base - 50; // the honest part has ~2 in scope per element
  const blockWeight = Array.from({ length: 11 }, (_, i) => 1 + 2 * (i + 1)).reduce((a, b) => a + b, 1);
  for (let b = 0; elements + 12 <= budget && weight + blockWeight <= weightLeft; b++) {
    let open = '';
    let close = '';
    for (let i = 0; i < 11; i++) {
      open += `<a${i}:e xmlns:a${i}="urn:b${b}:a${i}" xmlns:z${i}="urn:b${b}:z${i}">`;
      close = `</a${i}:e>${close}`;
    }
    out += `<blk>${open}${close}</blk>`;
    elements += 12;
    weight += blockWeight;
  }
  return out + manyElements(Math.max(0, Math.min(budget - elements, weightLeft - weight)));
}
const elementsOf = (xml) => (xml.match(/<[A-Za-z]/g) ?? []).length;
const manyElements = (n) => '<i/>'.repeat(n);

const LIMIT = 600; // SAML_RESPONSE_XML_LIMITS.maxElements
const WEIGHT = 2_000; // SAML_RESPONSE_XML_LIMITS.maxNamespaceScopeWeight
const groups = Array.from({ length: 150 }, (_, i) => `${String(i).padStart(8, '0')}-1111-2222-3333-444444444444`);
// The honest response's own elements; the rest of the limit is the attacker's budget (less Extensions).
const base = elementsOf((await buildIdpResponse({ preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: ACS, nameId: 'alice@acme.test', attributes: { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'alice@acme.test', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': groups } })).xml);
const budget = LIMIT - base - 1;
const cases = [
  ['honest Entra, 150 group claims', {}],
  ['trap 11: 3,000 nested namespace declarations (~110 KB)', { payload: nestedNamespaceDeclarations(3000) }],
  ['worst accepted namespace shape (23 in scope everywhere)', { payload: (budget) => worstAcceptedNamespaces(budget) }],
  ['most elements accepted (the element limit exactly)', { payload: (budget) => manyElements(budget) }],
  ['~250 KiB body of elements (over the element limit)', { payload: manyElements(Math.floor(MAX_XML / 4)) }],
];

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function cpuMs(fn) {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

// Warm-up (JIT), untimed.
for (let i = 0; i < 3; i++) {
  const res = await buildIdpResponse({ preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: ACS, nameId: 'alice@acme.test' });
  await validator.validate(res.base64, { acsUrl: ACS, certificates: [idp.certPem], idpEntityId: null }).catch(() => undefined);
}
console.log(`dist: ${dist}; median CPU ms of ${values.runs} runs; honest response ${base} elements, attacker budget ${budget}`);
console.log(['case', 'XML KiB', 'outcome', '1 cert', '4 certs'].join(' | '));
for (const [name, { payload }] of cases) {
  const results = [];
  let outcome = '';
  let size = 0;
  for (const certs of [[idp.certPem], [...others, idp.certPem]]) {
    const times = [];
    for (let r = 0; r < Number(values.runs); r++) {
      const res = await buildIdpResponse({
        preset: 'entra', key: idp.keyPem, cert: idp.certPem, acsUrl: ACS, nameId: 'alice@acme.test',
        attributes: { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'alice@acme.test', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': groups },
        afterSign: payload ? (xml) => inResponseExtensions(xml, typeof payload === 'function' ? payload(budget) : payload) : undefined,
      });
      size = res.xml.length;
      times.push(
        await cpuMs(async () => {
          try {
            await validator.validate(res.base64, { acsUrl: ACS, certificates: certs, idpEntityId: null });
            outcome = 'accepted';
          } catch (err) {
            outcome = `refused: ${String(err.reason ?? err.message).slice(0, 60)}`;
          }
        }),
      );
    }
    results.push(median(times).toFixed(1));
  }
  console.log([name, (size / 1024).toFixed(0), outcome, ...results].join(' | '));
}
