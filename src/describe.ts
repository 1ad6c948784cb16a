// Names of bad arguments, for error messages. A message is built from a value the caller passed,
// so nothing here may run the caller's code unguarded: a throwing `constructor` getter or
// `toString` would replace our SessionCacheError with the caller's error.
import { isUint8Array, lengthOf } from './byte-views.js';

/** The value's constructor name, or `fallback` when it has none or reading it throws. */
function constructorName(value: object, fallback: string): string {
  try {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : fallback;
  } catch {
    return fallback;
  }
}

/** The kind of `value`: `null`, `Buffer(32)`, `Array`, `string`, … (never throws). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (isUint8Array(value)) return `${constructorName(value, 'Uint8Array')}(${lengthOf(value)})`;
  if (typeof value === 'object') return constructorName(value, 'object');
  return typeof value;
}

/** `value` itself when it is a primitive (`10`, `'10'`, `NaN`), else {@link describe} (never throws). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' || typeof value === 'function') return describe(value);
  return String(value);
}
