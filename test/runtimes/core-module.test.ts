// The registry every entry loads the core into: ready() and useCoreModule() on a fresh copy of
// it, before any entry has registered a core (this file imports no entry).
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const coreBytes = readFileSync(new URL('../../build/core.wasm', import.meta.url));

describe('core registry', () => {
  it('ready() rejects until a core is registered, then resolves; caches need one', async () => {
    const registry = await import('../../src/core-module.js');
    expect(registry.isCoreLoaded()).toBe(false);
    await expect(registry.ready()).rejects.toMatchObject({ code: 'ERR_CORE_NOT_LOADED' });
    expect(() => registry.coreModule()).toThrow(/not loaded/);

    expect(() => registry.useCoreModule(coreBytes as unknown as WebAssembly.Module)).toThrow(/WebAssembly\.Module/);
    expect(registry.isCoreLoaded()).toBe(false);

    const module = new WebAssembly.Module(coreBytes);
    registry.useCoreModule(module);
    await expect(registry.ready()).resolves.toBeUndefined();
    expect(registry.coreModule()).toBe(module);
  });

  it('the Node loader registers build/core.wasm once', async () => {
    vi.resetModules();
    const registry = await import('../../src/core-module.js');
    const { loadCoreFromFile } = await import('../../src/load-node.js');
    expect(registry.isCoreLoaded()).toBe(false);
    loadCoreFromFile();
    const first = registry.coreModule();
    expect(WebAssembly.Module.exports(first).map((e) => e.name)).toContain('lookup');
    loadCoreFromFile();
    expect(registry.coreModule()).toBe(first);
  });
});
