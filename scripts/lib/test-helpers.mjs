// The benchmarks sign SAML responses exactly as the tests do: the test helpers (TypeScript) are
// compiled with swc into .bench/build and imported from there.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformFileSync } from '@swc/core';

const root = resolve(import.meta.dirname, '..', '..');
const FILES = ['test/utils/certificates.ts', 'test/utils/fake-idp.ts', 'test/utils/xml-attacks.ts', 'src/saml/xmldsig-algorithms.ts', 'src/common/crypto/der.ts'];

export async function loadTestHelpers() {
  const out = join(root, '.bench', 'build');
  for (const file of FILES) {
    const { code } = transformFileSync(join(root, file), {
      swcrc: false,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    });
    const target = join(out, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  const load = (file) => import(pathToFileURL(join(out, file)).href);
  return {
    ...(await load('test/utils/certificates.js')),
    ...(await load('test/utils/fake-idp.js')),
    ...(await load('test/utils/xml-attacks.js')),
  };
}
