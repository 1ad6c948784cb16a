#!/usr/bin/env node
// Lint and format-check assembly/ with Biome. AssemblyScript decorates functions (`@inline`), which
// no TypeScript parser accepts, so the files are copied to assembly-masked/ (git-ignored) with
// those decorators turned into comments in the same place (`/*@inline*/`), checked there under
// AssemblyScript's own style (biome.json's override: double quotes, `==`), and turned back.
//   node .ci/check-assembly.mjs [--write]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const biome = join(root, 'node_modules', '.bin', 'biome');
const write = process.argv.includes('--write');
const source = join(root, 'assembly');
const masked = join(root, 'assembly-masked');
const DECORATED = /^@(inline|lazy|global|final|unmanaged) /gm;
const COMMENTED = /^\/\*@(inline|lazy|global|final|unmanaged)\*\/ /gm;

const names = readdirSync(source).filter((f) => f.endsWith('.ts'));
rmSync(masked, { recursive: true, force: true });
mkdirSync(masked);
let status = 0;
try {
  for (const name of names)
    writeFileSync(join(masked, name), readFileSync(join(source, name), 'utf8').replace(DECORATED, '/*@$1*/ '));
  const args = ['check', '--error-on-warnings', ...(write ? ['--write'] : []), 'assembly-masked'];
  status = spawnSync(biome, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
  if (write) {
    for (const name of names) {
      const back = readFileSync(join(masked, name), 'utf8').replace(COMMENTED, '@$1 ');
      if (back !== readFileSync(join(source, name), 'utf8')) writeFileSync(join(source, name), back);
    }
  }
} finally {
  rmSync(masked, { recursive: true, force: true });
}
process.exit(status);
