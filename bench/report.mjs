// Output of a benchmark run: a table on stdout, every figure in JSON, ratios as an SVG chart.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS } from './contenders.mjs';
import { OPERATIONS } from './scenarios.mjs';

/** The machine a run was made on. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
  };
}

/**
 * The commit the run measured (`-dirty` if the working tree differed from it), or null outside a
 * git checkout: runs are compared across commits (bench/summarize.mjs).
 */
export function commit() {
  try {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    return execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=7'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** A whole number; a small negative figure (measurement noise) that rounds to zero prints as 0, not -0. */
const whole = (x) => (Math.round(x) || 0).toFixed(0);
const mops = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`);
// Right-aligned in n columns, always after at least one space (a wide figure must not run into the one before)
const pad = (s, n) => ` ${String(s).padStart(n - 1)}`;
const padEnd = (s, n) => String(s).padEnd(n);

function table(results) {
  const m = results.machine;
  const lines = [
    `tls-resumption benchmark (${results.mode}): ${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${m.node}`,
    "ops/s are medians of the rounds; ratios are wasm ops/s over the other contender's, measured in the same run.",
  ];
  for (const s of results.scenarios) {
    lines.push(
      '',
      `${s.id}: ${s.entries} sessions of ${s.sessionBytes} B, 32-byte ids, ${s.payloadBytes.toFixed(0)} B of key + session each`,
    );
    lines.push(
      `${padEnd('operation', 16)}${CONTENDERS.map((c) => pad(c, 11)).join('')} | ${pad('x lru-cache', 11)}${pad('x Map', 8)}`,
    );
    for (const op of OPERATIONS) {
      const row = CONTENDERS.map((c) => pad(mops(s.contenders[c].opsPerSecond[op]), 11)).join('');
      lines.push(
        `${padEnd(op, 16)}${row} | ${pad(s.ratios[op]['lru-cache'].toFixed(2), 11)}${pad(s.ratios[op].map.toFixed(2), 8)}`,
      );
    }
    const mem = (c) =>
      `${s.contenders[c].memoryPerEntry.rssAfterFill.toFixed(0)}/${s.contenders[c].memoryPerEntry.rssAfterChurn.toFixed(0)}`;
    lines.push(
      `${padEnd('RSS B/entry', 16)}${CONTENDERS.map((c) => pad(mem(c), 11)).join('')} | fill/after ${s.churnMemory} churn ops`,
    );
    const heap = (c) => whole(s.contenders[c].memoryPerEntry.heapAfterFill);
    lines.push(`${padEnd('JS heap B/entry', 16)}${CONTENDERS.map((c) => pad(heap(c), 11)).join('')}`);
    const gc = (c) => `${s.contenders[c].gc.totalMs.toFixed(0)}/${s.contenders[c].gc.maxMs.toFixed(1)}`;
    lines.push(`${padEnd('GC ms tot/max', 16)}${CONTENDERS.map((c) => pad(gc(c), 11)).join('')} | during the mixed streams`);
    const idle = (c) => s.contenders[c].idle.cpuMs.toFixed(0);
    lines.push(
      `${padEnd('idle CPU ms', 16)}${CONTENDERS.map((c) => pad(idle(c), 11)).join('')} | used while another contender was timed`,
    );
    if (s.heapObjects) {
      lines.push(
        `${padEnd('objects/session', 16)}${CONTENDERS.map((c) => pad(s.contenders[c].heapObjectsPerSession.toFixed(2), 11)).join('')}`,
      );
    }
  }
  const e = results.endToEnd;
  if (e !== undefined) {
    lines.push('', `TLS 1.2 end to end (${e.handshakes} handshakes per round, ${e.rounds} rounds, client in another process):`);
    for (const [name, r] of Object.entries(e.modes)) {
      lines.push(
        `${padEnd(name, 22)}${pad(r.handshakesPerSecond.toFixed(0), 8)} handshakes/s ${pad(r.serverCpuMicros.toFixed(0), 6)} us server CPU each  resumed ${(r.resumedRatio * 100).toFixed(0)} %`,
      );
    }
  }
  lines.push('', `targets (${results.mode === 'full' ? 'at the sizes the issue sets' : 'indicative: smaller stand-in sizes'}):`);
  for (const t of results.targets) {
    const mark = t.met === null ? '-' : t.met ? 'met ' : 'MISS';
    lines.push(`  [${mark}] ${t.name}: ${t.checks.map((c) => `${c.scenario} ${c.op ?? ''} ${c.detail}`).join('; ')}`);
  }
  lines.push('', `${results.seconds.toFixed(0)} s in all`);
  return lines.join('\n');
}

/** Grouped bars, log scale: wasm's speed over lru-cache's and Map's, per operation and scenario. */
function chart(results) {
  const bars = ['lru-cache', 'map'];
  const colors = { 'lru-cache': '#3b6ea8', map: '#d08b2c' };
  const panelW = 760;
  const panelH = 230;
  const top = 50;
  const left = 60;
  const lo = Math.log2(0.25);
  const hi = Math.log2(64);
  const y = (r) => top + (panelH - 60) * (1 - (Math.log2(Math.min(Math.max(r, 0.25), 64)) - lo) / (hi - lo));
  const parts = [];
  const height = top + results.scenarios.length * panelH + 20;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${panelW + left + 20}" height="${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(
    `<text x="${left}" y="22" font-size="15">tls-resumption (wasm): speed ratio per operation, log scale (${results.mode} run, ${results.machine.cores}-core ${results.machine.cpu}, Node ${results.machine.node})</text>`,
  );
  bars.forEach((b, i) => {
    parts.push(
      `<rect x="${left + i * 130}" y="30" width="12" height="12" fill="${colors[b]}"/><text x="${left + i * 130 + 16}" y="40">x ${b === 'map' ? 'Map' : b}</text>`,
    );
  });
  results.scenarios.forEach((s, si) => {
    const oy = si * panelH;
    const gy = (r) => oy + y(r);
    parts.push(`<text x="${left}" y="${oy + top - 6}" font-size="13">${s.id}</text>`);
    for (const r of [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]) {
      parts.push(`<line x1="${left}" x2="${left + panelW}" y1="${gy(r)}" y2="${gy(r)}" stroke="${r === 1 ? '#000' : '#ddd'}"/>`);
      parts.push(`<text x="${left - 6}" y="${gy(r) + 4}" text-anchor="end">${r}x</text>`);
    }
    const groupW = panelW / OPERATIONS.length;
    OPERATIONS.forEach((op, oi) => {
      const gx = left + oi * groupW;
      bars.forEach((b, bi) => {
        const r = s.ratios[op][b];
        const x = gx + 10 + bi * 26;
        const y0 = gy(1);
        const y1 = gy(r);
        parts.push(
          `<rect x="${x}" y="${Math.min(y0, y1)}" width="22" height="${Math.max(1, Math.abs(y1 - y0))}" fill="${colors[b]}"><title>${op} ${r.toFixed(2)}x ${b}</title></rect>`,
        );
        parts.push(`<text x="${x + 11}" y="${Math.min(y0, y1) - 3}" text-anchor="middle" font-size="9">${r.toFixed(1)}</text>`);
      });
      parts.push(`<text x="${gx + groupW / 2}" y="${oy + top + panelH - 42}" text-anchor="middle" font-size="10">${op}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const LABEL = { 'lru-cache': 'lru-cache', map: 'Map', mnemonist: 'mnemonist', js: 'JS twin', wasm: 'wasm' };

/** The figures as Markdown tables (what the README's Performance section quotes). */
export function markdown(results) {
  const m = results.machine;
  const ss = results.scenarios;
  const out = [
    `Run of ${results.started.slice(0, 10)}${results.commit ? ` on commit ${results.commit}` : ''}, \`${results.mode}\` mode, ${m.cores}-core ${m.cpu}, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${m.platform}, Node ${m.node}.`,
    '',
    "**Ratios**: this package's WebAssembly cache, operations per second over the other's, same run (higher is better).",
    '',
    `| operation | ${ss.map((s) => `${s.id} ×lru-cache | ×Map`).join(' | ')} |`,
    `|---|${ss.map(() => '---:|---:').join('|')}|`,
  ];
  for (const op of OPERATIONS) {
    out.push(
      `| ${op} | ${ss.map((s) => `${s.ratios[op]['lru-cache'].toFixed(2)} | ${s.ratios[op].map.toFixed(2)}`).join(' | ')} |`,
    );
  }
  out.push('', '**Operations per second** (medians of the rounds):', '');
  for (const s of ss) {
    out.push(`${s.id} (${s.entries} sessions of ${s.sessionBytes} B):`, '');
    out.push(`| operation | ${CONTENDERS.map((c) => LABEL[c]).join(' | ')} |`, `|---|${CONTENDERS.map(() => '---:').join('|')}|`);
    for (const op of OPERATIONS)
      out.push(`| ${op} | ${CONTENDERS.map((c) => mops(s.contenders[c].opsPerSecond[op])).join(' | ')} |`);
    out.push('');
  }
  out.push(
    '**Memory and GC** (resident bytes per session after the fill / after the churn; JS heap bytes per session; GC during the mixed streams: total / longest pause):',
    '',
  );
  out.push(`| scenario | ${CONTENDERS.map((c) => LABEL[c]).join(' | ')} |`, `|---|${CONTENDERS.map(() => '---:').join('|')}|`);
  for (const s of ss) {
    const cell = (c) => {
      const r = s.contenders[c];
      return `${r.memoryPerEntry.rssAfterFill.toFixed(0)} / ${r.memoryPerEntry.rssAfterChurn.toFixed(0)} B; heap ${whole(r.memoryPerEntry.heapAfterFill)} B; GC ${r.gc.totalMs.toFixed(0)} / ${r.gc.maxMs.toFixed(1)} ms`;
    };
    out.push(`| ${s.id}, ${s.churnMemory} churn ops | ${CONTENDERS.map(cell).join(' | ')} |`);
  }
  const settled = results.settle === false ? 'did not settle (quick run or `--no-settle`)' : 'settled before each reply';
  out.push('', `**Idle CPU** (ms of CPU each contender's process used while another one was timed; the workers ${settled}):`, '');
  out.push(`| scenario | ${CONTENDERS.map((c) => LABEL[c]).join(' | ')} |`, `|---|${CONTENDERS.map(() => '---:').join('|')}|`);
  for (const s of ss) out.push(`| ${s.id} | ${CONTENDERS.map((c) => s.contenders[c].idle.cpuMs.toFixed(0)).join(' | ')} |`);
  const objects = ss.find((s) => s.heapObjects);
  if (objects !== undefined) {
    out.push(
      '',
      `JS heap objects per stored session (${objects.id}): ${CONTENDERS.map((c) => `${LABEL[c]} ${objects.contenders[c].heapObjectsPerSession.toFixed(2)}`).join(', ')}.`,
    );
  }
  const e = results.endToEnd;
  if (e !== undefined) {
    out.push(
      '',
      `**TLS end to end** (${e.protocol}; ${e.handshakes} handshakes per round over ${e.lanes} connections at a time, ${e.rounds} rounds, client in another process; medians):`,
      '',
    );
    out.push('| server resumes through | handshakes/s | server CPU per handshake | resumed |', '|---|---:|---:|---:|');
    for (const [name, r] of Object.entries(e.modes)) {
      out.push(
        `| ${name} | ${r.handshakesPerSecond.toFixed(0)} | ${r.serverCpuMicros.toFixed(0)} µs | ${(r.resumedRatio * 100).toFixed(0)} % |`,
      );
    }
  }
  out.push('', '**Targets** of the benchmark issue:', '');
  for (const t of results.targets) {
    out.push(
      `- ${t.met === null ? '–' : t.met ? 'met' : '**missed**'}: ${t.name} (${t.checks.map((c) => `${c.scenario}${c.op ? ` ${c.op}` : ''}: ${c.detail}`).join('; ')})`,
    );
  }
  return out.join('\n');
}

/** Print the table and write results/bench-<mode>.json, .md and results/ratios-<mode>.svg. */
export function writeReport(results, outDir) {
  const text = table(results);
  console.log(text);
  const json = join(outDir, `bench-${results.mode}.json`);
  const md = join(outDir, `bench-${results.mode}.md`);
  const svg = join(outDir, `ratios-${results.mode}.svg`);
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, `${markdown(results)}\n`);
  writeFileSync(svg, chart(results));
  console.log(`\nfigures: ${json}\ntables:  ${md}\nchart:   ${svg}`);
}

// `node bench/report.mjs results.json` prints a finished run's Markdown tables again.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(markdown(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
}
