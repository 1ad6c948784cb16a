// ESM driver (Node ESM, Bun, Deno): import the installed package by name, run the shared smoke
// script, print one JSON line with the runtime and the file the exports map resolved to.
import * as pkg from 'tls-resumption';
import { runtimeInfo, smoke } from './smoke.mjs';

const result = await smoke(pkg);
console.log(JSON.stringify({ runtime: runtimeInfo(), entry: import.meta.resolve('tls-resumption'), result }));
