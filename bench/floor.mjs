// The GC floor of the copying lookup: what the copies alone cost the collector in a process that
// holds as much memory as the cache, with no cache. `lookup` hands out a fresh copy of each hit's
// session (src/copy.ts's copyOut over a view of linear memory); the floor makes the same copies,
// with the same code, from a touched WebAssembly.Memory of the cache's resident size, at the rate
// the cache's mixed stream ran. Whatever the copying lookup's GC costs above this is the cache's.
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

/** @typedef {{ copyOut: (source: Uint8Array) => Uint8Array, setBytes: (target: Uint8Array, source: Uint8Array, offset: number) => void }} CopyModule */

/**
 * The package's own copy code (src/copy.ts), compiled on the fly, so the floor changes with it.
 * @returns {Promise<CopyModule>}
 */
export async function loadCopy() {
  const source = readFileSync(new URL('../src/copy.ts', import.meta.url), 'utf8');
  const { code } = transformSync(source, { loader: 'ts', format: 'esm' });
  return import(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * A stand-in for the cache: `memoryBytes` of touched linear memory cut into one record slot per
 * session; `copy(key)` copies a session out of the slot the key's id picks, `store(session)`
 * writes one into a slot (no allocation, as the cache's update).
 * @param {CopyModule} copies
 * @param {{ memoryBytes: number, entries: number, sessionBytes: number }} sizes
 */
export function createFloor({ copyOut, setBytes }, { memoryBytes, entries, sessionBytes }) {
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(memoryBytes / 65536)) });
  const buffer = memory.buffer;
  const bytes = new Uint8Array(buffer);
  // Touched page by page with non-zero bytes, so the memory is resident as the cache's is.
  for (let at = 0; at < bytes.length; at += 4096) bytes.fill((at & 0xff) | 1, at, Math.min(at + 4096, bytes.length));
  const stride = Math.max(sessionBytes, Math.floor(bytes.length / entries) & ~7);
  const slots = Math.max(1, Math.floor((bytes.length - sessionBytes) / stride) + 1);
  let next = 0;
  return {
    residentBytes: bytes.length,
    /** @param {{ sessionId: Buffer }} key */
    copy: (key) => copyOut(new Uint8Array(buffer, (key.sessionId.readUInt32LE(0) % slots) * stride, sessionBytes)),
    /** @param {Uint8Array} session */
    store(session) {
      next = (next + 7919) % slots;
      setBytes(bytes, session, next * stride);
    },
  };
}
