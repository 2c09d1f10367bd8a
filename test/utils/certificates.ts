import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestKeyType = 'rsa' | 'dsa' | 'ec';

export interface TestCertificate {
  /** PEM of the self-signed X.509 certificate. */
  certPem: string;
  /** PEM (PKCS#8) of its private key: made per test run, never committed. */
  keyPem: string;
  /** DER bytes of the certificate (what a .cer download from an IdP holds). */
  der: Buffer;
}

const KEY_ARGS: Record<TestKeyType, string[]> = {
  rsa: ['-newkey', 'rsa:2048'],
  dsa: ['-newkey', 'dsa:PARAMFILE'],
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
};

/** A fresh self-signed certificate made with the openssl CLI, as an IdP admin would download it. */
export function generateTestCertificate(options: { type?: TestKeyType; cn?: string; days?: number } = {}): TestCertificate {
  const type = options.type ?? 'rsa';
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cert-'));
  try {
    const args = [...KEY_ARGS[type]];
    if (type === 'dsa') {
      const params = join(dir, 'dsa.param');
      execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-pkeyopt', 'dsa_paramgen_q_bits:256', '-out', params], { stdio: 'pipe' });
      args[1] = `dsa:${params}`;
    }
    const validity = ['-days', String(options.days ?? 365)];
    execFileSync(
      'openssl',
      ['req', '-x509', ...args, '-sha256', '-nodes', '-subj', `/CN=${options.cn ?? 'Latchkey Test IdP'}`, ...validity, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'pipe' },
    );
    const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const der = execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-outform', 'DER']);
    return { certPem, keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), der };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
