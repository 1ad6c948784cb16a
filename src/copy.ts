// Copies handed to callers. A fresh ArrayBuffer costs ~580 ns here whatever its size, so small
// copies are carved from a shared slab, as Node's Buffer.allocUnsafe does: a copy's `.buffer` is
// the slab and may hold other copies made before it.
const SLAB_BYTES = 16 * 1024;
/** Copies above this size get their own buffer (the slab would gain nothing). */
const POOLED_MAX = SLAB_BYTES >>> 2;

/**
 * %TypedArray%.prototype.set, called directly: V8 then calls the builtin as it is, where
 * `view.set(...)` went through a generic property lookup (LoadIC) on every copy of a lookup.
 */
const typedArraySet = Uint8Array.prototype.set;

/** Copy `source` into `target` at `offset`, as `target.set(source, offset)`. */
export function setBytes(target: Uint8Array, source: Uint8Array, offset: number): void {
  typedArraySet.call(target, source, offset);
}

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/**
 * A new Uint8Array holding a copy of `source`'s bytes. Callers pass a view made with the
 * constructor over a kept ArrayBuffer, not `subarray()`, which makes the copy slower.
 */
export function copyOut(source: Uint8Array): Uint8Array {
  const length = source.length;
  let out: Uint8Array;
  if (length > POOLED_MAX) {
    out = new Uint8Array(length);
  } else {
    if (used + length > SLAB_BYTES) {
      slab = new ArrayBuffer(SLAB_BYTES);
      used = 0;
    }
    out = new Uint8Array(slab, used, length);
    used = (used + length + 7) & ~7;
  }
  setBytes(out, source, 0);
  return out;
}

/**
 * A copy of `bytes` in a buffer of its own. Not `bytes.slice()`: on a Node Buffer that returns a
 * view of the same memory.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
