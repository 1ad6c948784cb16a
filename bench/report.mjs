// Output of a benchmark run: a table on stdout; every figure in JSON (bench-<mode>.json, not
// committed); the figures the READMEs quote in a compact JSON (figures-<mode>.json); Markdown
// tables and an SVG chart of the ratios, both made from the compact figures.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS } from './contenders.mjs';
import { compactExtras, extrasMarkdown } from './extra.mjs';
import { OPERATIONS } from './scenarios.mjs';
import { sig } from './stats.mjs';
import { evaluateTargets, gcMedian } from './targets.mjs';

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

/**
 * @param {Record<string, any>} obj
 * @param {(v: any, k: string) => any} fn
 */
const mapValues = (obj, fn) => Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v, k)]));

/** @param {import('./targets.mjs').Gc} g */
const gcCompact = (g) => ({
  count: g.count,
  totalMs: sig(gcMedian(g, 'totalMs')),
  p99Ms: sig(gcMedian(g, 'p99Ms')),
  maxMs: sig(gcMedian(g, 'maxMs')),
});

/** What each mode is, for the report's first line. */
const MODE_TEXT = {
  default: 'default mode (`npm run bench`): every target at its size, fewer and shorter rounds',
  full: 'full mode (`npm run bench -- --full`): the long reference run',
  quick: 'quick mode (`--quick`): smaller stand-in sizes, indicative only',
  smoke: 'smoke mode (`--smoke`): proves the harness runs, no target judged',
};

/**
 * The figures the READMEs quote, from a run's full results (run.mjs): per scenario the medians
 * of ops/s, the ratios, memory per entry, GC per mixed stream (medians over rounds) and the GC
 * floor; the end-to-end medians; the extra phases' figures (bench/extra.mjs: medians, no single
 * rounds); the targets with how each was judged; the phases' durations.
 * Results of runs made before GC was kept per round fall back to the whole run's figures.
 * @param {Record<string, any>} results
 */
export function compact(results) {
  const rounds = results.rounds ?? results.scenarios[0]?.contenders.wasm.rounds?.mixed?.length ?? null;
  return {
    mode: results.mode,
    rounds,
    // false for runs made before GC was kept per round: their GC figures are whole-run sums and maxima
    gcPerRound: results.scenarios[0]?.contenders.wasm.gc.rounds !== undefined,
    commit: results.commit ?? null,
    started: results.started,
    machine: results.machine,
    seconds: sig(results.seconds),
    estimateSeconds: results.estimateSeconds ?? null,
    phases:
      results.phases === undefined
        ? null
        : mapValues(results.phases, (p) => ({
            seconds: sig(p.seconds),
            estimateSeconds: p.estimateSeconds,
            cpuEstimateSeconds: sig(p.cpuEstimateSeconds),
            parts: mapValues(p.parts, sig),
          })),
    scenarios: results.scenarios.map((/** @type {Record<string, any>} */ s) => ({
      id: s.id,
      entries: s.entries,
      sessionBytes: s.sessionBytes,
      payloadBytes: sig(s.payloadBytes),
      mixed: s.mixed,
      churnMemory: s.churnMemory,
      opsPerSecond: mapValues(s.contenders, (c) => mapValues(c.opsPerSecond, sig)),
      ratios: mapValues(s.ratios, (r) => mapValues(r, sig)),
      memoryPerEntry: mapValues(s.contenders, (c) => ({
        rssAfterFill: sig(c.memoryPerEntry.rssAfterFill),
        rssAfterChurn: sig(c.memoryPerEntry.rssAfterChurn),
        heapAfterFill: sig(c.memoryPerEntry.heapAfterFill),
      })),
      gc: mapValues(s.contenders, (c) => gcCompact(c.gc)),
      floor:
        s.floor === undefined
          ? null
          : { residentBytes: s.floor.residentBytes, opsPerSecond: sig(s.floor.opsPerSecond), gc: gcCompact(s.floor.gc) },
      idleCpuMs: mapValues(s.contenders, (c) => sig(c.idle.cpuMs)),
      heapObjectsPerSession: s.heapObjects ? mapValues(s.contenders, (c) => sig(c.heapObjectsPerSession)) : null,
    })),
    endToEnd:
      results.endToEnd === undefined
        ? null
        : {
            protocol: results.endToEnd.protocol,
            handshakes: results.endToEnd.handshakes,
            rounds: results.endToEnd.rounds,
            lanes: results.endToEnd.lanes,
            modes: mapValues(results.endToEnd.modes, (m) => ({
              handshakesPerSecond: sig(m.handshakesPerSecond),
              serverCpuMicros: sig(m.serverCpuMicros),
              resumedRatio: sig(m.resumedRatio),
            })),
          },
    extras: compactExtras(results.extras),
    targets: evaluateTargets({ ...results, rounds }, results.mode).map((t) => ({
      name: t.name,
      met: t.met,
      checks: t.checks.map(
        (/** @type {Record<string, any>} */ c) =>
          /** @type {Record<string, any>} */ ({
            ...c,
            ...(c.value === undefined ? {} : { value: sig(c.value) }),
            ...(c.growth === undefined ? {} : { growth: sig(c.growth) }),
            ...(c.limit === undefined ? {} : { limit: sig(c.limit) }),
            ...(c.lookupMs === undefined ? {} : { lookupMs: sig(c.lookupMs), floorMs: sig(c.floorMs) }),
          }),
      ),
    })),
  };
}

/** @typedef {ReturnType<typeof compact>} Figures */

/**
 * A whole number; a small negative figure (measurement noise) that rounds to zero prints as 0, not -0.
 * @param {number} x
 */
const whole = (x) => (Math.round(x) || 0).toFixed(0);
/** @param {number | null | undefined} x */
const mops = (x) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`;
/**
 * Right-aligned in n columns, always after at least one space (a wide figure must not run into the one before)
 * @param {string | number} s
 * @param {number} n
 */
const pad = (s, n) => ` ${String(s).padStart(n - 1)}`;
/** @param {string | number} s @param {number} n */
const padEnd = (s, n) => String(s).padEnd(n);
/**
 * The contenders a scenario ran, in the usual order (the default mode runs fewer at 1M).
 * @param {{ opsPerSecond: Record<string, unknown> }} s
 */
const present = (s) => CONTENDERS.filter((c) => c in s.opsPerSecond);
/** @param {number | null | undefined} x @param {number} digits */
const fixed = (x, digits) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

/** @param {Figures} f */
function table(f) {
  const m = f.machine;
  const lines = [
    `tls-resumption benchmark, ${MODE_TEXT[/** @type {keyof typeof MODE_TEXT} */ (f.mode)] ?? f.mode}: ${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${m.node}`,
    `ops/s are medians of ${f.rounds} rounds; ratios are wasm ops/s over the other contender's, measured in the same run.`,
  ];
  for (const s of f.scenarios) {
    const cs = present(s);
    lines.push(
      '',
      `${s.id}: ${s.entries} sessions of ${s.sessionBytes} B, 32-byte ids, ${fixed(s.payloadBytes, 0)} B of key + session each`,
    );
    lines.push(`${padEnd('operation', 16)}${cs.map((c) => pad(c, 11)).join('')} | ${pad('x lru-cache', 11)}${pad('x Map', 8)}`);
    for (const op of OPERATIONS) {
      const row = cs.map((c) => pad(mops(s.opsPerSecond[c][op]), 11)).join('');
      lines.push(
        `${padEnd(op, 16)}${row} | ${pad(fixed(s.ratios[op]['lru-cache'], 2), 11)}${pad(fixed(s.ratios[op].map, 2), 8)}`,
      );
    }
    const mem = (/** @type {string} */ c) =>
      `${fixed(s.memoryPerEntry[c].rssAfterFill, 0)}/${fixed(s.memoryPerEntry[c].rssAfterChurn, 0)}`;
    lines.push(`${padEnd('RSS B/entry', 16)}${cs.map((c) => pad(mem(c), 11)).join('')} | fill/after ${s.churnMemory} churn ops`);
    lines.push(`${padEnd('JS heap B/entry', 16)}${cs.map((c) => pad(whole(s.memoryPerEntry[c].heapAfterFill), 11)).join('')}`);
    const gc = (/** @type {{ totalMs: number | null, p99Ms: number | null }} */ g) =>
      `${fixed(g.totalMs, 0)}/${fixed(g.p99Ms, 1)}`;
    lines.push(
      `${padEnd('GC ms tot/p99', 16)}${cs.map((c) => pad(gc(s.gc[c]), 11)).join('')} | per mixed stream, medians of the rounds`,
    );
    if (s.floor !== null) {
      lines.push(
        `${padEnd('GC floor', 16)}${pad(gc(s.floor.gc), 11)} | the same copies at the same rate, no cache (${(s.floor.residentBytes / 2 ** 20).toFixed(0)} MB of touched memory)`,
      );
    }
    lines.push(
      `${padEnd('idle CPU ms', 16)}${cs.map((c) => pad(fixed(s.idleCpuMs[c], 0), 11)).join('')} | used while another contender was timed`,
    );
    if (s.heapObjectsPerSession !== null) {
      const objects = s.heapObjectsPerSession;
      lines.push(`${padEnd('objects/session', 16)}${cs.map((c) => pad(fixed(objects[c], 2), 11)).join('')}`);
    }
  }
  const e = f.endToEnd;
  if (e !== null) {
    lines.push('', `TLS 1.2 end to end (${e.handshakes} handshakes per round, ${e.rounds} rounds, client in another process):`);
    for (const [name, r] of Object.entries(e.modes)) {
      lines.push(
        `${padEnd(name, 22)}${pad(fixed(r.handshakesPerSecond, 0), 8)} handshakes/s ${pad(fixed(r.serverCpuMicros, 0), 6)} us server CPU each  resumed ${fixed((r.resumedRatio ?? 0) * 100, 0)} %`,
      );
    }
  }
  // the extra phases' tables as the Markdown report has them, without its bold (runs before them have none)
  lines.push(...extrasMarkdown(f.extras ?? null).map((l) => l.replaceAll('**', '')));
  lines.push(
    '',
    `targets (${f.mode === 'full' || f.mode === 'default' ? 'at the sizes they name' : 'indicative: smaller stand-in sizes'}; each by the median of its rounds):`,
  );
  for (const t of f.targets) {
    const mark = t.met === null ? '-' : t.met ? 'met ' : 'MISS';
    lines.push(`  [${mark}] ${t.name}: ${t.checks.map((c) => `${c.scenario} ${c.op ?? ''} ${c.detail}`).join('; ')}`);
  }
  if (f.phases !== null) {
    lines.push('', 'phases: wall s this run | estimate s for an idle machine | estimate s from the CPU this run took');
    for (const [name, p] of Object.entries(f.phases)) {
      lines.push(
        `  ${padEnd(name, 12)}${pad(fixed(p.seconds, 0), 6)} |${pad(p.estimateSeconds, 5)} |${pad(fixed(p.cpuEstimateSeconds, 0), 5)}`,
      );
    }
  }
  lines.push(
    '',
    `${fixed(f.seconds, 0)} s in all${f.estimateSeconds === null ? '' : ` (estimate for an idle machine: ${f.estimateSeconds} s)`}`,
  );
  return lines.join('\n');
}

/**
 * Grouped bars, log scale: wasm's speed over lru-cache's and Map's, per operation and scenario.
 * @param {Figures} f
 */
function chart(f) {
  const bars = ['lru-cache', 'map'];
  /** @type {Record<string, string>} */
  const colors = { 'lru-cache': '#3b6ea8', map: '#d08b2c' };
  const panelW = 760;
  const panelH = 230;
  const top = 50;
  const left = 60;
  const lo = Math.log2(0.25);
  const hi = Math.log2(64);
  const y = (/** @type {number} */ r) =>
    top + (panelH - 60) * (1 - (Math.log2(Math.min(Math.max(r, 0.25), 64)) - lo) / (hi - lo));
  const parts = [];
  const height = top + f.scenarios.length * panelH + 20;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${panelW + left + 20}" height="${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(
    `<text x="${left}" y="22" font-size="15">tls-resumption (wasm): speed ratio per operation, log scale (${f.mode} run, ${f.machine.cores}-core ${f.machine.cpu}, Node ${f.machine.node})</text>`,
  );
  bars.forEach((b, i) => {
    parts.push(
      `<rect x="${left + i * 130}" y="30" width="12" height="12" fill="${colors[b]}"/><text x="${left + i * 130 + 16}" y="40">x ${b === 'map' ? 'Map' : b}</text>`,
    );
  });
  f.scenarios.forEach((s, si) => {
    const oy = si * panelH;
    const gy = (/** @type {number} */ r) => oy + y(r);
    parts.push(`<text x="${left}" y="${oy + top - 6}" font-size="13">${s.id}</text>`);
    for (const r of [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]) {
      parts.push(`<line x1="${left}" x2="${left + panelW}" y1="${gy(r)}" y2="${gy(r)}" stroke="${r === 1 ? '#000' : '#ddd'}"/>`);
      parts.push(`<text x="${left - 6}" y="${gy(r) + 4}" text-anchor="end">${r}x</text>`);
    }
    const groupW = panelW / OPERATIONS.length;
    OPERATIONS.forEach((op, oi) => {
      const gx = left + oi * groupW;
      bars.forEach((b, bi) => {
        const r = s.ratios[op][b] ?? 1;
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

/** @type {Record<string, string>} */
const LABEL = { 'lru-cache': 'lru-cache', map: 'Map', mnemonist: 'mnemonist', js: 'JS twin', wasm: 'wasm' };

/**
 * The figures as Markdown tables (what bench/README.md quotes).
 * @param {Figures} f
 */
export function markdown(f) {
  const m = f.machine;
  const ss = f.scenarios;
  const out = [
    `Run of ${f.started.slice(0, 10)}${f.commit ? ` on commit ${f.commit}` : ''}, ${MODE_TEXT[/** @type {keyof typeof MODE_TEXT} */ (f.mode)] ?? f.mode}; ${f.rounds} rounds per scenario; ${m.cores}-core ${m.cpu}, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${m.platform}, Node ${m.node}${f.seconds === null ? '' : `; ${f.seconds.toFixed(0)} s`}.`,
    '',
    "**Ratios**: this package's WebAssembly cache, operations per second over the other's, medians of the rounds, same run (higher is better).",
    '',
    `| operation | ${ss.map((s) => `${s.id} ×lru-cache | ×Map`).join(' | ')} |`,
    `|---|${ss.map(() => '---:|---:').join('|')}|`,
  ];
  for (const op of OPERATIONS) {
    out.push(
      `| ${op} | ${ss.map((s) => `${fixed(s.ratios[op]['lru-cache'], 2)} | ${fixed(s.ratios[op].map, 2)}`).join(' | ')} |`,
    );
  }
  out.push('', '**Operations per second** (medians of the rounds):', '');
  for (const s of ss) {
    const cs = present(s);
    out.push(`${s.id} (${s.entries} sessions of ${s.sessionBytes} B):`, '');
    out.push(`| operation | ${cs.map((c) => LABEL[c]).join(' | ')} |`, `|---|${cs.map(() => '---:').join('|')}|`);
    for (const op of OPERATIONS) out.push(`| ${op} | ${cs.map((c) => mops(s.opsPerSecond[c][op])).join(' | ')} |`);
    out.push('');
  }
  out.push(
    '**Memory** (resident bytes per session after the fill / after the untimed churn; JS heap bytes per session after the fill):',
    '',
  );
  out.push(`| scenario | ${CONTENDERS.map((c) => LABEL[c]).join(' | ')} |`, `|---|${CONTENDERS.map(() => '---:').join('|')}|`);
  for (const s of ss) {
    const cell = (/** @type {string} */ c) => {
      const r = s.memoryPerEntry[c];
      if (r === undefined) return '–';
      return `${fixed(r.rssAfterFill, 0)} / ${fixed(r.rssAfterChurn, 0)} B; heap ${whole(r.heapAfterFill ?? 0)} B`;
    };
    out.push(`| ${s.id}, ${s.churnMemory} churn ops | ${CONTENDERS.map(cell).join(' | ')} |`);
  }
  out.push(
    '',
    f.gcPerRound
      ? "**GC per mixed stream** (medians over the rounds of each round's total GC time / 99th-percentile pause / longest pause, ms; the floor makes the copying lookup's copies at its rate with no cache):"
      : `**GC in the mixed streams** (this run kept no per-round figures: total over all ${f.rounds} rounds / longest pause / longest pause, ms):`,
    '',
  );
  out.push(
    `| scenario | ${CONTENDERS.map((c) => LABEL[c]).join(' | ')} | floor |`,
    `|---|${CONTENDERS.map(() => '---:').join('|')}|---:|`,
  );
  for (const s of ss) {
    const cell = (/** @type {{ totalMs: number | null, p99Ms: number | null, maxMs: number | null }} */ g) =>
      `${fixed(g.totalMs, 0)} / ${fixed(g.p99Ms, 2)} / ${fixed(g.maxMs, 2)}`;
    out.push(
      `| ${s.id}, ${s.mixed} ops | ${CONTENDERS.map((c) => (s.gc[c] === undefined ? '–' : cell(s.gc[c]))).join(' | ')} | ${s.floor === null ? '–' : cell(s.floor.gc)} |`,
    );
  }
  out.push('', "**Idle CPU** (ms of CPU each contender's process used while another one was timed):", '');
  out.push(`| scenario | ${CONTENDERS.map((c) => LABEL[c]).join(' | ')} |`, `|---|${CONTENDERS.map(() => '---:').join('|')}|`);
  for (const s of ss) out.push(`| ${s.id} | ${CONTENDERS.map((c) => fixed(s.idleCpuMs[c] ?? null, 0)).join(' | ')} |`);
  const objects = ss.find((s) => s.heapObjectsPerSession !== null);
  if (objects?.heapObjectsPerSession) {
    const counts = objects.heapObjectsPerSession;
    out.push(
      '',
      `JS heap objects per stored session (${objects.id}): ${present(objects)
        .map((c) => `${LABEL[c]} ${fixed(counts[c], 2)}`)
        .join(', ')}.`,
    );
  }
  const e = f.endToEnd;
  if (e !== null) {
    out.push(
      '',
      `**TLS end to end** (${e.protocol}; ${e.handshakes} handshakes per round over ${e.lanes} connections at a time, ${e.rounds} rounds, client in another process; medians):`,
      '',
    );
    out.push('| server resumes through | handshakes/s | server CPU per handshake | resumed |', '|---|---:|---:|---:|');
    for (const [name, r] of Object.entries(e.modes)) {
      out.push(
        `| ${name} | ${fixed(r.handshakesPerSecond, 0)} | ${fixed(r.serverCpuMicros, 0)} µs | ${fixed((r.resumedRatio ?? 0) * 100, 0)} % |`,
      );
    }
  }
  out.push(...extrasMarkdown(f.extras ?? null));
  out.push('', '**Targets**, each judged as stated:', '');
  for (const t of f.targets) {
    const judged = [...new Set(t.checks.map((c) => c.judged).filter(Boolean))].join('; ');
    out.push(
      `- ${t.met === null ? '–' : t.met ? 'met' : '**missed**'}: ${t.name} (${t.checks.map((c) => `${c.scenario}${c.op ? ` ${c.op}` : ''}: ${c.detail}`).join('; ')})${judged ? `; judged by the ${judged}` : ''}`,
    );
  }
  return out.join('\n');
}

/**
 * Write bench-<mode>.json (every figure), figures-<mode>.json (compact), bench-<mode>.md and
 * ratios-<mode>.svg into `outDir`; print the table unless `quiet`.
 * @param {Record<string, any>} results
 * @param {string} outDir
 * @param {{ quiet?: boolean }} [options]
 */
export function writeReport(results, outDir, { quiet = false } = {}) {
  const f = compact(results);
  if (!quiet) console.log(table(f));
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, `bench-${results.mode}.json`);
  const figures = join(outDir, `figures-${results.mode}.json`);
  const md = join(outDir, `bench-${results.mode}.md`);
  const svg = join(outDir, `ratios-${results.mode}.svg`);
  if (results.scenarios[0]?.contenders !== undefined) writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(figures, `${JSON.stringify(f, null, 1)}\n`);
  writeFileSync(md, `${markdown(f)}\n`);
  writeFileSync(svg, chart(f));
  if (!quiet) console.log(`\nfigures: ${json}\ncompact: ${figures}\ntables:  ${md}\nchart:   ${svg}`);
}

/** The markers around the tables bench/README.md quotes. */
export const README_BEGIN = '<!-- tables: node bench/report.mjs bench/results/figures-default.json -->';
export const README_END = '<!-- end of tables -->';

/**
 * `readme` with the text between its table markers replaced by `tables`.
 * @param {string} readme
 * @param {string} tables
 */
export function withTables(readme, tables) {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error('no table markers in the README');
  return `${readme.slice(0, begin + README_BEGIN.length)}\n\n${tables}\n\n${readme.slice(end)}`;
}

// `node bench/report.mjs FILE` prints a finished run's Markdown tables again, from its full results
// (bench-<mode>.json) or its compact figures (figures-<mode>.json). With `--out DIR`, from full
// results, it also writes the compact figures, tables and chart there; with `--readme FILE` it
// writes the tables between that README's markers (bench/README.md quotes the reference run).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, flag, target] = process.argv.slice(2);
  if (file === undefined || (flag !== undefined && (target === undefined || !['--out', '--readme'].includes(flag)))) {
    console.error('usage: node bench/report.mjs bench-<mode>.json|figures-<mode>.json [--out DIR | --readme README.md]');
    process.exit(2);
  }
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const full = data.scenarios[0]?.contenders !== undefined;
  const tables = markdown(full ? compact(data) : data);
  if (flag === '--out' && full) writeReport(data, /** @type {string} */ (target), { quiet: true });
  if (flag === '--readme')
    writeFileSync(/** @type {string} */ (target), withTables(readFileSync(/** @type {string} */ (target), 'utf8'), tables));
  else console.log(tables);
}
