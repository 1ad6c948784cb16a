#!/usr/bin/env node
// The benchmark issue's targets over several runs: every run's figure for each check, the median
// over the runs, and how many runs met each target. On this VM one run can miss a target that its
// code meets in most runs (a contender's rounds of one operation spread 1.5-2x), so a verdict on
// the code is read here, over several runs, as well as from one run's report.
//   node bench/summarize.mjs [LABEL=]figures-default.json ...
// Takes a run's compact figures (figures-<mode>.json) or its full results (bench-<mode>.json, whose
// targets are evaluated again). Prints a Markdown table; a label defaults to the file's name without `.json`.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { median } from './stats.mjs';
import { FLAT, FLOOR_MAX, GC_MAX_MS, evaluateTargets, meets } from './targets.mjs';

const USAGE = 'usage: node bench/summarize.mjs [LABEL=]results.json ... (the JSON files `npm run bench` writes)';

/**
 * @typedef {import('./targets.mjs').Check & { value?: number, growth?: number, met: boolean | null }} JudgedCheck
 * @typedef {{ label: string, commit: string | null, mode: string, targets: { name: string, met: boolean | null, checks: JudgedCheck[] }[] }} Run
 */

/**
 * A compact file's target with each check judged again by today's rule from its figures.
 * @param {Run['targets'][number]} t
 */
function judgeAgain(t) {
  const checks = t.checks.map((c) => ({
    ...c,
    met: typeof c.value === 'number' ? meets(c, c.value, c.growth) : null,
  }));
  const known = checks.filter((c) => c.met !== null);
  return { ...t, checks, met: known.length === 0 ? null : known.every((c) => c.met) };
}

/**
 * One run's file: its label and its targets (evaluated again from full results).
 * @param {string} arg
 * @returns {Run}
 */
function loadRun(arg) {
  const eq = arg.indexOf('=');
  const path = eq > 0 ? arg.slice(eq + 1) : arg;
  const label = eq > 0 ? arg.slice(0, eq) : basename(path, '.json');
  const results = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(results.scenarios) || typeof results.mode !== 'string') {
    throw new Error(`${path}: not a results file of bench/run.mjs`);
  }
  const full = results.scenarios[0]?.contenders !== undefined;
  if (!full && !Array.isArray(results.targets)) throw new Error(`${path}: not a results file of bench/run.mjs`);
  const targets = full ? evaluateTargets(results, results.mode) : results.targets.map(judgeAgain);
  return { label, commit: results.commit ?? null, mode: results.mode, targets };
}

/** @param {JudgedCheck} c */
const checkName = (c) =>
  c.kind === 'ratio'
    ? `${c.scenario} ${c.op} × ${c.baseline} ≥ ${c.min}`
    : c.kind === 'memory'
      ? `${c.scenario} resident B/entry${c.limit === undefined ? '' : ` ≤ ${c.limit.toFixed(0)}`}, ± ${FLAT * 100} % after churn`
      : c.kind === 'gc'
        ? `${c.scenario} longest GC pause ≤ ${GC_MAX_MS} ms`
        : c.kind === 'floor'
          ? `${c.scenario} ${c.metric === 'p99Ms' ? 'p99 GC pause' : 'total GC'} ≤ ${FLOOR_MAX} × floor`
          : `${c.scenario} heap objects per session`;

/**
 * @param {JudgedCheck} c
 * @param {number | undefined} value
 * @param {number | undefined} growth
 */
const figure = (c, value, growth) =>
  value === undefined
    ? 'n/a'
    : c.kind === 'ratio'
      ? `${value.toFixed(2)}×`
      : c.kind === 'memory'
        ? `${value.toFixed(0)} B, ${(growth ?? 0) >= 0 ? '+' : '−'}${Math.abs((growth ?? 0) * 100).toFixed(1)} %`
        : c.kind === 'gc'
          ? `${value.toFixed(2)} ms`
          : c.kind === 'floor'
            ? `${value.toFixed(2)}×`
            : value.toFixed(3);

/**
 * The Markdown summary of `runs` (from loadRun): a row per check with each run's figure (a miss in
 * bold), the median and its verdict, then per target and per run how many were met.
 * @param {Run[]} runs
 */
function summarize(runs) {
  const modes = new Set(runs.map((r) => r.mode));
  if (modes.size > 1) throw new Error(`runs of different modes (${[...modes].join(', ')}) cannot be summarised together`);
  const lines = [
    `| check | ${runs.map((r) => r.label).join(' | ')} | median | median meets it |`,
    `|---|${runs.map(() => '---:|').join('')}---:|---|`,
  ];
  /** @type {number[]} */
  const metIn = [];
  const first = /** @type {Run} */ (runs[0]);
  /** @param {Run} r @param {number} ti */
  const target = (r, ti) => /** @type {Run['targets'][number]} */ (r.targets[ti]);
  first.targets.forEach((t, ti) => {
    metIn.push(runs.filter((r) => target(r, ti).met).length);
    t.checks.forEach((c0, ci) => {
      const checks = runs.map((r) => /** @type {JudgedCheck} */ (target(r, ti).checks[ci]));
      const known = checks.filter((c) => c.met !== null && c.value !== undefined);
      const cells = checks.map((c) => (c.met === false ? `**${figure(c, c.value, c.growth)}**` : figure(c, c.value, c.growth)));
      let verdict = 'n/a';
      let mid = 'n/a';
      if (known.length > 0) {
        const value = median(known.map((c) => /** @type {number} */ (c.value)));
        const growth = c0.kind === 'memory' ? median(known.map((c) => /** @type {number} */ (c.growth))) : undefined;
        mid = figure(c0, value, growth);
        verdict = meets(/** @type {JudgedCheck} */ (known[0]), value, growth) ? 'yes' : '**no**';
      }
      lines.push(`| ${checkName(/** @type {JudgedCheck} */ (checks[0]))} | ${cells.join(' | ')} | ${mid} | ${verdict} |`);
    });
  });
  lines.push('');
  first.targets.forEach((t, ti) => {
    lines.push(`- ${t.name}: met in ${metIn[ti]} of ${runs.length} runs`);
  });
  lines.push('');
  for (const r of runs)
    lines.push(
      `- run ${r.label}${r.commit ? ` (${r.commit})` : ''}: ${r.targets.filter((t) => t.met).length} of ${r.targets.length} targets met`,
    );
  return lines.join('\n');
}

const args = process.argv.slice(2);
if (args.length === 0 || args.includes('--help')) {
  console.error(USAGE);
  process.exit(args.length === 0 ? 2 : 0);
}
try {
  console.log(summarize(args.map(loadRun)));
} catch (e) {
  console.error(`bench/summarize.mjs: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
}
