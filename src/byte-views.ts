// What a Uint8Array argument really is. A subclass may override `length` or `buffer`, and an
// object made with Object.create(Uint8Array.prototype) passes `instanceof`; the cache used to
// trust both, and a session that claimed 10 bytes while holding 3000 was written over its
// neighbours in linear memory. These read the internal slots through %TypedArray%.prototype's own
// getters, which no argument can override; V8 inlines the calls to them.
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

function getterOf(name: PropertyKey): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(typedArrayPrototype, name)!.get!;
}

const nameOf = getterOf(Symbol.toStringTag);
const lengthGetter = getterOf('length');
const bufferGetter = getterOf('buffer');

/** Whether `value` is a real Uint8Array (a Buffer is one; a Uint8ClampedArray or look-alike is not). */
export function isUint8Array(value: unknown): value is Uint8Array {
  return nameOf.call(value) === 'Uint8Array';
}

/** The number of bytes `bytes` views, whatever its `length` property says. */
export function lengthOf(bytes: Uint8Array): number {
  // The element read (which runs no user code) gives V8 the array's map, and with it V8 inlines
  // the getter call as a field load: 1 ns, against 3 ns for a builtin call without it.
  void bytes[0];
  return lengthGetter.call(bytes) as number;
}

/** The buffer `bytes` views, whatever its `buffer` property says. */
export function bufferOf(bytes: Uint8Array): ArrayBufferLike {
  return bufferGetter.call(bytes) as ArrayBufferLike;
}

const byteOffsetGetter = getterOf('byteOffset');
const resizableGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;
const growableGetter = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'growable')?.get;

/**
 * Whether `buffer` can change length: a resizable ArrayBuffer, or a growable SharedArrayBuffer
 * (which another thread may grow at any moment). The real getters, not properties a caller set.
 */
function canResize(buffer: ArrayBufferLike): boolean {
  try {
    // throws for a SharedArrayBuffer
    return resizableGetter !== undefined && resizableGetter.call(buffer) === true;
  } catch {
    return growableGetter !== undefined && growableGetter.call(buffer) === true;
  }
}

/**
 * `bytes` as a view of exactly `length` bytes (its checked length) that cannot change length
 * later: `bytes` itself unless its buffer can resize, else a fixed-length view of the same memory.
 * A length-tracking view over a growable SharedArrayBuffer grows whenever another thread grows it,
 * so a copy of it could hold more bytes than were checked.
 */
export function fixedView(bytes: Uint8Array, length: number): Uint8Array {
  const buffer = bufferOf(bytes);
  if (!canResize(buffer)) return bytes;
  return new Uint8Array(buffer, byteOffsetGetter.call(bytes) as number, length);
}
