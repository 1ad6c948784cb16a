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
  /**
   * No WebAssembly core is registered in this runtime (`ready()` rejects with it, and
   * `createSessionCache` throws it): import the package entry for the runtime, or call
   * `useCoreModule(module)` with a compiled `core.wasm`.
   */
  CORE_NOT_LOADED: 'ERR_CORE_NOT_LOADED',
  /**
   * The module given to `useCoreModule` is not this package's `core.wasm` (it lacks an export the
   * cache calls), or the core refused to start because its build misplaced the areas JavaScript
   * writes to (a build fault: rebuild it with `npm run build`).
   */
  CORE_INVALID: 'ERR_CORE_INVALID',
  /**
   * The host would not give a new cache its WebAssembly memory (`createSessionCache`): too little
   * memory or address space left. Lower `memoryBytes` or `maxSessions`, or terminate other caches.
   */
  OUT_OF_MEMORY: 'ERR_OUT_OF_MEMORY',
  /**
   * A store did not get an answer in time: a cluster worker's update the primary did not
   * acknowledge within `timeoutMs` (the session may or may not be stored). Lookups never throw it:
   * a lookup that times out is a miss.
   */
  TIMEOUT: 'ERR_TIMEOUT',
} as const;

export type SessionCacheErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * Marks every SessionCacheError. A registered symbol is the same in every copy of this package
 * loaded in one process (the ESM and the CJS build each define their own class).
 */
const BRAND = Symbol.for('tls-resumption.SessionCacheError');

/**
 * The only error this package throws, for bad input and for a runtime that cannot run a cache (no
 * core, a wrong core, no memory). A call that throws it has changed nothing: every stored session
 * is still there, byte for byte. `instanceof SessionCacheError` holds for errors from either build
 * (ESM or CJS) of the package.
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
