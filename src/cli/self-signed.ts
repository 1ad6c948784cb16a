// A throwaway self-signed certificate (ECDSA P-256) for `serve` without --cert and for `demo`.
// Node can make keys but not certificates; the certificate below has a fixed shape, so a few DER
// helpers write it with node:crypto alone, where a package would bring a whole ASN.1 library
// (node-forge) or a dependency on the openssl command.
import { X509Certificate, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/** A PEM key and certificate, with the certificate's SHA-256 fingerprint. */
export interface SelfSigned {
  key: string;
  cert: string;
  /** `AB:CD:…`, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint256: string;
}

function der(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.of(n);
  else if (n < 0x100) length = Buffer.of(0x81, n);
  else if (n < 0x10000) length = Buffer.of(0x82, n >> 8, n & 0xff);
  else length = Buffer.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  return Buffer.concat([Buffer.of(tag), length, body]);
}

const sequence = (...parts: Uint8Array[]): Buffer => der(0x30, ...parts);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime (years 1950-2049), as RFC 5280 requires for those years. */
function utcTime(date: Date): Buffer {
  const text = date
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .slice(2);
  return der(0x17, Buffer.from(text, 'ascii'));
}

function commonName(name: string): Buffer {
  return sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(name, 'utf8')))));
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const halves = address.split('::');
  const words = (s: string | undefined): number[] => (s ? s.split(':').map((h) => Number.parseInt(h, 16)) : []);
  const head = words(halves[0]);
  const tail = words(halves[1]);
  const all = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  return Buffer.from(all.flatMap((w) => [w >> 8, w & 0xff]));
}

/**
 * A self-signed ECDSA P-256 certificate for `names` (DNS names or IP addresses, the first is the
 * subject's CN), valid from an hour ago for `days` days.
 */
export function selfSignedCertificate(names: readonly string[] = ['localhost', '127.0.0.1', '::1'], days = 30): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, and no leading zero byte needed
  const now = Date.now();
  const altNames = names.map((n) => (isIP(n) ? der(0x87, ipBytes(n)) : der(0x82, Buffer.from(n, 'ascii'))));
  const extensions = der(
    0xa3,
    sequence(
      sequence(oid('2.5.29.17'), der(0x04, sequence(...altNames))),
      sequence(oid('2.5.29.19'), der(0x04, sequence())), // basicConstraints: not a CA
      sequence(oid('2.5.29.37'), der(0x04, sequence(oid('1.3.6.1.5.5.7.3.1')))), // serverAuth
    ),
  );
  const name = commonName(names[0] ?? 'localhost');
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.of(2))), // v3
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + days * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, ecdsaWithSha256, der(0x03, Buffer.of(0), signature));
  const body = certificate.toString('base64').replace(/.{64}/g, '$&\n');
  const cert = `-----BEGIN CERTIFICATE-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
}
