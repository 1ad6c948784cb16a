#!/usr/bin/env node
// Generate src/core-interface.ts from the "JS interface" section of assembly/layout.ts: the
// limits, counter indices, flags, batch sizes and result codes that src/ and the core must agree
// on, written once, in assembly/. Comments are copied; each `export const NAME: type = value;`
// becomes `export const NAME = value;`, after checking that the value, evaluated as JavaScript
// from literals and earlier names, fits its AssemblyScript type (so JS reads what wasm compiled).
// test/interface.test.ts regenerates the file and fails if the committed one differs.
//   node .ci/core-interface.mjs            write src/core-interface.ts
//   node .ci/core-interface.mjs --check    exit 1 if it is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LAYOUT = fileURLToPath(new URL('../assembly/layout.ts', import.meta.url));
export const OUTPUT = fileURLToPath(new URL('../src/core-interface.ts', import.meta.url));

const BEGIN = '// ---- begin JS interface ----';
const END = '// ---- end JS interface ----';
const CONST = /^export const ([A-Z][A-Z0-9_]*): (i32|u32|usize|f64) = ([^;]+);$/;
const RANGES = {
  i32: [-(2 ** 31), 2 ** 31 - 1],
  u32: [0, 2 ** 32 - 1],
  usize: [0, 2 ** 32 - 1],
};

/** The TypeScript module for a layout.ts source; throws on anything in the section it cannot vouch for. */
export function generate(layoutSource) {
  const lines = layoutSource.split('\n');
  const begin = lines.indexOf(BEGIN);
  const end = lines.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`assembly/layout.ts: no "${BEGIN}" ... "${END}" section`);
  const values = new Map();
  const out = [
    '// Generated from the "JS interface" section of assembly/layout.ts by .ci/core-interface.mjs',
    '// (`npm run build:interface`): do not edit. test/interface.test.ts fails while it is out of date.',
  ];
  let inDoc = false;
  for (const line of lines.slice(begin + 1, end)) {
    const trimmed = line.trim();
    if (inDoc || trimmed.startsWith('/**')) {
      inDoc = !trimmed.endsWith('*/');
      out.push(line);
      continue;
    }
    if (trimmed === '' || trimmed.startsWith('//')) {
      out.push(line);
      continue;
    }
    const match = CONST.exec(line);
    if (match === null) throw new Error(`assembly/layout.ts: the JS interface section holds only constants: ${line}`);
    const [, name, type, expression] = match;
    const value = evaluate(name, expression, values);
    if (
      type === 'f64' ? !Number.isFinite(value) : !Number.isInteger(value) || value < RANGES[type][0] || value > RANGES[type][1]
    ) {
      throw new Error(`assembly/layout.ts: ${name} = ${expression} is ${value}, not a ${type}`);
    }
    values.set(name, value);
    out.push(`export const ${name} = ${expression};`);
  }
  if (inDoc) throw new Error('assembly/layout.ts: unterminated comment in the JS interface section');
  return `${out.join('\n')}\n`;
}

/** The value of an initializer made of literals, operators and the names defined before it. */
function evaluate(name, expression, values) {
  if (!/^[\w\s<>|&^~+\-*/().]+$/.test(expression)) throw new Error(`assembly/layout.ts: ${name}: unsupported initializer`);
  for (const word of expression.match(/\b[A-Za-z_]\w*\b/g) ?? []) {
    if (!values.has(word)) throw new Error(`assembly/layout.ts: ${name} uses ${word}, not an earlier interface constant`);
  }
  return Function(...values.keys(), `"use strict"; return (${expression});`)(...values.values());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate(readFileSync(LAYOUT, 'utf8'));
  if (process.argv.includes('--check')) {
    if (readFileSync(OUTPUT, 'utf8') !== text) {
      console.error('src/core-interface.ts is out of date: run `npm run build:interface`');
      process.exit(1);
    }
  } else {
    writeFileSync(OUTPUT, text);
  }
}
