// A throwaway self-signed ECDSA P-256 certificate for the benchmarks, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A certificate for `commonName`, with `altNames` (e.g. `DNS:*.fetch.test`) when given.
 * @param {{ commonName?: string, altNames?: string[] }} [options]
 */
export function makeCertificate({ commonName = 'localhost', altNames = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tls-resumption-bench-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${commonName}`,
        ...(altNames.length === 0 ? [] : ['-addext', `subjectAltName=${altNames.join(',')}`]),
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
