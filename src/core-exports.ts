// What src/ needs from the compiled core, and nothing more: build/core.wasm exports exactly
// these (test/interface.test.ts checks it), and useCoreModule refuses a module lacking any.

/** The exports of build/core.wasm (see assembly/index.ts). Pointers are i32: use `>>> 0`. */
export interface Core {
  memory: WebAssembly.Memory;
  layoutBytes(maxSessions: number, budget: number): number;
  init(maxSessions: number, budget: number, lifetimeMs: number, onFull: number): number;
  lookup(pk: number, sidLen: number, now: number, limit: number, copying: number): number;
  lookupBatch(n: number, now: number): void;
  batchAddress(): number;
  batchResultsAddress(): number;
  update(pk: number, sidLen: number, sessLen: number, now: number): number;
  remove(pk: number, sidLen: number, now: number): number;
  takeFound(): void;
  select(pk: number, now: number): number;
  foldBegin(): number;
  foldNext(fold: number, now: number): number;
  foldEnd(fold: number): void;
  sweep(now: number, max: number): number;
  wipeAll(): void;
  size(): number;
  usedBytes(): number;
  longest(): number;
  statsAddress(): number;
  resultAddress(): number;
  hashKeyAddress(): number;
  hashKeyBytes(): number;
  pkAddress(): number;
  sidAddress(): number;
  recGroupOlder(rec: number): number;
  recSessionAddress(rec: number): number;
  recSessionLength(rec: number): number;
  recIdAddress(rec: number): number;
  recIdLength(rec: number): number;
  recPartialKeyAddress(rec: number): number;
  recPartialKeyInfo(rec: number): number;
}

/** The names of {@link Core}'s members, at run time. */
export const CORE_EXPORTS = [
  'memory',
  'layoutBytes',
  'init',
  'lookup',
  'lookupBatch',
  'batchAddress',
  'batchResultsAddress',
  'update',
  'remove',
  'takeFound',
  'select',
  'foldBegin',
  'foldNext',
  'foldEnd',
  'sweep',
  'wipeAll',
  'size',
  'usedBytes',
  'longest',
  'statsAddress',
  'resultAddress',
  'hashKeyAddress',
  'hashKeyBytes',
  'pkAddress',
  'sidAddress',
  'recGroupOlder',
  'recSessionAddress',
  'recSessionLength',
  'recIdAddress',
  'recIdLength',
  'recPartialKeyAddress',
  'recPartialKeyInfo',
] as const satisfies ReadonlyArray<keyof Core>;

// The list names every member of Core: this fails to compile if one is missing.
const listsEveryMember: Exclude<keyof Core, (typeof CORE_EXPORTS)[number]> extends never ? true : false = true;
void listsEveryMember;
