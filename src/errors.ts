/** Stable codes carried by every {@link SessionCacheError}. */
export const ErrorCodes = {
  /** Wrong type, empty session id, malformed partial key, unknown cache. */
  INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  /** Session id over 255 bytes or partial key over 512 bytes. */
  KEY_TOO_LONG: 'ERR_KEY_TOO_LONG',
  /** Session over the cache's `maxSessionBytes`. */
  SESSION_TOO_LARGE: 'ERR_SESSION_TOO_LARGE',
  /** An option out of range, or limits that need more than a wasm32 memory (4 GiB). */
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** The cache was terminated. */
  CACHE_TERMINATED: 'ERR_CACHE_TERMINATED',
} as const;

export type SessionCacheErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * Marks every SessionCacheError. A registered symbol is the same in every copy of this package
 * loaded in one process (the ESM and the CJS build each define their own class).
 */
const BRAND = Symbol.for('tls-resumption.SessionCacheError');

/**
 * The only error this package throws for bad input. A call that throws it has changed nothing:
 * every stored session is still there, byte for byte. `instanceof SessionCacheError` holds for
 * errors from either build (ESM or CJS) of the package.
 */
export class SessionCacheError extends Error {
  /** One of {@link ErrorCodes}. */
  readonly code: SessionCacheErrorCode;

  constructor(code: SessionCacheErrorCode, message: string) {
    super(message);
    this.name = 'SessionCacheError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a SessionCacheError of any build; subclasses keep the usual prototype check. */
  static [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked about, maybe a subclass
    if (this !== SessionCacheError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && Object.hasOwn(value, BRAND);
  }
}

/** Throw a {@link SessionCacheError}: `fn` names the public function, for the message. */
export function fail(code: SessionCacheErrorCode, fn: string, message: string): never {
  throw new SessionCacheError(code, `${fn}: ${message}`);
}
