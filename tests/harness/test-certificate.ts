/**
 * A throwaway self-signed TLS certificate for WSS tests (Debian's openssl), and the Chromium
 * switch that trusts exactly that key (no blanket --ignore-certificate-errors).
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  certificate: string;
  privateKey: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo, as --ignore-certificate-errors-spki-list wants it. */
  spki: string;
  chromiumArgs: string[];
  remove(): void;
}

export function createTestCertificate(host = '127.0.0.1'): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-test-tls-'));
  const certificate = join(dir, 'cert.pem');
  const privateKey = join(dir, 'key.pem');
  const san = /^[0-9.]+$/.test(host) ? `IP:${host}` : `DNS:${host}`;
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', privateKey, '-out', certificate, '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=${san}`,
  ], { stdio: 'ignore' });
  const der = new X509Certificate(readFileSync(certificate)).publicKey.export({ type: 'spki', format: 'der' });
  const spki = createHash('sha256').update(der).digest('base64');
  return {
    certificate,
    privateKey,
    spki,
    chromiumArgs: [`--ignore-certificate-errors-spki-list=${spki}`],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
