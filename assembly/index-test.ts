// The test build, build/core.test.wasm (`npm run build:wasm` compiles both): the release exports
// plus hooks that let the tests look inside. Never shipped: build/core.wasm is index.ts alone.
import { recordBytes } from "./layout";
import { sessions } from "./table";

export * from "./index";
// Every layout constant, as a global: test/interface.test.ts checks src/core-interface.ts against
// the values compiled into the core.
export * from "./layout";
export { verify } from "./verify";

/** Where the session table's meta array is (u16 per slot: tag | distance from home << 8). */
export function sessionMetaAddress(): usize {
  return sessions.meta;
}

export function sessionSlots(): u32 {
  return sessions.n;
}

/** The byte-budget formula as compiled, for the test that src/limits.ts computes the same. */
export function recordBytesFor(pkLen: u32, sidLen: u32, sessLen: u32): u32 {
  return recordBytes(pkLen, sidLen, sessLen);
}
