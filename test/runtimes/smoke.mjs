// The one behavioural script every runtime runs (Node ESM and CJS, Bun, Deno, a workerd Worker):
// it takes the package's exports and returns plain JSON, which runtimes.test.ts compares with one
// expected object. Plain JavaScript with no imports, so each runtime loads it unchanged.

/** Hex of a byte array, or null for a miss. */
function hex(bytes) {
  if (bytes === undefined || bytes === null) return null;
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** A 32-byte session id whose first byte is `n`. */
function sid(n) {
  return Uint8Array.from({ length: 32 }, (_, i) => (n + i * 13) & 0xff);
}

/** `length` session bytes derived from `n`. */
function sessionBytes(n, length) {
  return Uint8Array.from({ length }, (_, i) => (n * 7 + i) & 0xff);
}

/** The code of the SessionCacheError `fn` throws, or a description of what went wrong. */
function errorOf(pkg, fn) {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof pkg.SessionCacheError && error instanceof Error ? error.code : `foreign ${String(error)}`;
  }
}

/** Every session-cache operation on one cache made by `create`, as a JSON transcript. */
function transcript(pkg, create) {
  let now = 1_000_000;
  const cache = create({ role: 'client', maxSessions: 4, lifetimeSeconds: 60, clock: () => now });
  const a = 'a.example:443';
  const b = Uint8Array.from([0x62, 0x3a, 0x31]); // bytes partial key "b:1"
  const out = {};

  cache.update({ partialKey: a, sessionId: sid(1) }, sessionBytes(1, 5));
  now += 1;
  cache.update({ partialKey: a, sessionId: sid(2) }, sessionBytes(2, 700));
  now += 1;
  cache.update({ partialKey: b, sessionId: sid(3) }, sessionBytes(3, 3));
  now += 1;
  // a string and its UTF-8 bytes are the same partial key
  out.lookupHit = hex(cache.lookup({ partialKey: a, sessionId: sid(1) }));
  out.lookupBytesKey = hex(cache.lookup({ partialKey: 'b:1', sessionId: sid(3) }));
  out.lookupMiss = hex(cache.lookup({ partialKey: a, sessionId: sid(9) }));
  const into = new Uint8Array(8);
  out.lookupInto = [cache.lookupInto({ partialKey: a, sessionId: sid(1) }, into), hex(into)];
  out.selectA = cache.selectSession(a).map((s) => [s.length, s[0]]);
  out.selectNone = cache.selectSession('c:1').length;

  // replacing a session makes it the newest
  cache.update({ partialKey: a, sessionId: sid(1) }, sessionBytes(4, 6));
  out.selectAfterReplace = cache.selectSession(a).map((s) => [s.length, s[0]]);
  out.foldl = cache.foldl((entry, acc) => {
    const pk = typeof entry.key.partialKey === 'string' ? entry.key.partialKey : `bytes:${hex(entry.key.partialKey)}`;
    acc.push([pk, entry.key.sessionId[0], entry.session.length]);
    return acc;
  }, []);
  out.foldlEmptyAcc = create({ role: 'server' }).foldl(() => 'visited', 'acc0');

  out.deleteHit = cache.delete({ partialKey: b, sessionId: sid(3) });
  out.deleteMiss = cache.delete({ partialKey: b, sessionId: sid(3) });
  out.take = hex(cache.take({ partialKey: a, sessionId: sid(2) }).subarray(0, 4));
  out.sizeAfterDelete = cache.size;

  // maxSessions 4: the fifth and sixth sessions evict the oldest
  for (let n = 10; n < 15; n++) cache.update({ partialKey: a, sessionId: sid(n) }, sessionBytes(n, 16));
  out.sizeAtCapacity = cache.size;
  out.evictedOldest = cache.lookup({ partialKey: a, sessionId: sid(1) }) === undefined;

  // past the lifetime every session expires: a lookup reports a miss, sweep removes the rest
  now += 60_000;
  out.expiredLookup = hex(cache.lookup({ partialKey: a, sessionId: sid(14) }));
  out.swept = cache.sweep();

  out.errors = {
    emptySessionId: errorOf(pkg, () => cache.update({ partialKey: a, sessionId: new Uint8Array(0) }, sessionBytes(1, 1))),
    longSessionId: errorOf(pkg, () => cache.lookup({ partialKey: a, sessionId: new Uint8Array(256) })),
    tooLarge: errorOf(pkg, () =>
      create({ role: 'server', maxSessionBytes: 4 }).update({ partialKey: '', sessionId: sid(1) }, sessionBytes(1, 5)),
    ),
    badOption: errorOf(pkg, () => create({ role: 'server', maxSessions: 0 })),
  };

  const s = cache.stats();
  out.stats = {
    lookups: s.lookups,
    hits: s.hits,
    misses: s.misses,
    inserts: s.inserts,
    replacements: s.replacements,
    deletes: s.deletes,
    evictions: s.evictions,
    expired: s.expired,
    rejected: s.rejected,
    sessions: s.sessions,
  };

  cache.terminate();
  out.afterTerminate = {
    size: cache.size,
    lookup: hex(cache.lookup({ partialKey: a, sessionId: sid(1) })),
    update: errorOf(pkg, () => cache.update({ partialKey: a, sessionId: sid(1) }, sessionBytes(1, 1))),
  };
  return out;
}

/** OTP's callback shape (cache first, foldl's cache last) over a module object. */
function otpTranscript(module) {
  const cache = module.init({ role: 'server', maxSessions: 8 });
  module.update(cache, { partialKey: '', sessionId: sid(1) }, sessionBytes(1, 4));
  module.update(cache, { partialKey: '', sessionId: sid(2) }, sessionBytes(2, 4));
  const out = {
    lookup: hex(module.lookup(cache, { partialKey: '', sessionId: sid(2) })),
    size: module.size(cache),
    foldl: module.foldl((entry, acc) => acc + entry.session.length, 0, cache),
    select: module.selectSession(cache, '').length,
  };
  module.delete(cache, { partialKey: '', sessionId: sid(1) });
  out.sizeAfterDelete = module.size(cache);
  module.terminate(cache);
  return out;
}

/**
 * Run the smoke test against one runtime's view of the package.
 * @param pkg the module namespace (or `require` result) of `tls-resumption`
 * @returns JSON-safe results: `wasm` (the WebAssembly cache), `otp`, and whether the pure-JS twin
 *   produced the same transcript
 */
export async function smoke(pkg) {
  await pkg.ready();
  const wasm = transcript(pkg, pkg.createSessionCache);
  const js = transcript(pkg, pkg.createJsSessionCache);
  return {
    wasm,
    jsMatchesWasm: JSON.stringify(js) === JSON.stringify(wasm),
    otp: otpTranscript(pkg.wasmSessionCache),
    isWasm: pkg.createSessionCache({ role: 'server' }) instanceof pkg.WasmSessionCache,
  };
}

/** Which runtime (and version) is running this script, from globals each runtime defines. */
export function runtimeInfo() {
  const g = globalThis;
  if (typeof g.Deno !== 'undefined') return { name: 'deno', version: g.Deno.version.deno };
  if (typeof g.Bun !== 'undefined') return { name: 'bun', version: g.Bun.version };
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return { name: 'workerd', version: 'Cloudflare-Workers' };
  if (g.process?.versions?.node) return { name: 'node', version: g.process.versions.node };
  return { name: 'unknown', version: '' };
}
