// Node: compile build/core.wasm synchronously at import, so every call after import is synchronous.
import { readFileSync } from 'node:fs';
import { useCoreModule } from './core-module.js';

useCoreModule(new WebAssembly.Module(readFileSync(new URL('../build/core.wasm', import.meta.url))));
