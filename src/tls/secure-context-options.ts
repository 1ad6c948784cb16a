// The options `tls.createSecureContext` takes (Node 20), which the client and server keys cover:
// each of them changes what a party proves or accepts in a handshake.
export const SECURE_CONTEXT_OPTIONS = [
  'pfx',
  'key',
  'passphrase',
  'cert',
  'ca',
  'crl',
  'clientCertEngine',
  'privateKeyIdentifier',
  'privateKeyEngine',
  'ciphers',
  'sigalgs',
  'ecdhCurve',
  'dhparam',
  'honorCipherOrder',
  'minVersion',
  'maxVersion',
  'secureProtocol',
  'secureOptions',
  'sessionIdContext',
] as const;
