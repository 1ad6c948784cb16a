// Certificates for the TLS tests, made during the test run with the openssl CLI: a test CA (ECDSA
// P-256) and leaf certificates it signs, valid for localhost, a.test, b.test and 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  key: string;
  cert: string;
}

export type LeafKind = 'rsa' | 'ecdsa';

export interface TestCerts {
  /** The CA certificate (PEM) clients trust. */
  ca: string;
  /** Make another leaf certificate signed by the CA (each call: a new key and certificate). */
  leaf(kind: LeafKind): KeyPair;
  /** Delete the temporary directory. */
  remove(): void;
}

const SAN = 'subjectAltName=DNS:localhost,DNS:a.test,DNS:b.test,IP:127.0.0.1';

function openssl(args: string[], cwd: string): void {
  execFileSync('/usr/bin/openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A fresh CA in a temporary directory. */
export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'tls-resumption-certs-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=tls-resumption test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ],
    dir,
  );
  writeFileSync(join(dir, 'leaf.ext'), `${SAN}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n`);
  let serial = 1;
  return {
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    leaf(kind) {
      const n = ++serial;
      const keyArgs = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
      openssl(['req', '-new', ...keyArgs, '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', '/CN=localhost'], dir);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${n}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-set_serial',
          String(n),
          '-days',
          '2',
          '-out',
          `${n}.pem`,
          '-extfile',
          'leaf.ext',
        ],
        dir,
      );
      return { key: readFileSync(join(dir, `${n}.key`), 'utf8'), cert: readFileSync(join(dir, `${n}.pem`), 'utf8') };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
