// The phases after the end-to-end one: the cluster session cache (bench/cluster.mjs), fetch
// resumption over a name rotation (bench/fetch.mjs), the Redis fleet tier (bench/fleet.mjs) and
// the terminator beside HAProxy and nginx (bench/terminator.mjs). Each script runs alone too; this
// module runs the ones a mode names (bench/scenarios.mjs), skips those the machine cannot run with
// a one-line note, and keeps each result's medians in the compact figures and the script's own
// table in the report.
import { spawnSync } from 'node:child_process';
import { clusterMarkdown, runClusterBench } from './cluster.mjs';
import { formatFetchRotation, runFetchRotation } from './fetch.mjs';
import { fleetMarkdown, runFleetBench } from './fleet.mjs';
import { sig } from './stats.mjs';
import {
  availableTerminators,
  fleetTerminatorTable,
  runFleetTerminatorBench,
  runTerminatorBench,
  terminatorTable,
} from './terminator.mjs';

/**
 * @param {Record<string, any>} obj
 * @param {(v: any, k: string) => any} fn
 */
const mapValues = (obj, fn) => Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v, k)]));

/**
 * @typedef {object} RunContext
 * @property {string} libPath the built dist/index.js
 * @property {string} nodeLibPath the built dist/node.js
 * @property {(line: string) => void} progress
 */

/**
 * @typedef {object} ExtraPhase
 * @property {string} title the report's heading for its table
 * @property {() => string | undefined} missing why this machine cannot run it, or undefined
 * @property {(options: Record<string, any>, context: RunContext) => Promise<any>} run
 * @property {(result: any) => Record<string, any>} compact medians and settings, no single rounds
 * @property {(result: any) => string} markdown
 */

/** @param {string} command */
const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** @type {Record<'cluster' | 'fetch' | 'fleet' | 'terminators', ExtraPhase>} */
export const EXTRA_PHASES = {
  cluster: {
    title: 'Cluster session cache (bench/cluster.mjs): a lookup over IPC beside a local one; two 2-worker clusters side by side',
    missing: () => undefined,
    run: (options) => runClusterBench(options),
    compact: (r) => ({
      lookup: mapValues(r.lookup, (l) => ({
        ipc: { p50Us: sig(l.ipc.p50Us), p99Us: sig(l.ipc.p99Us) },
        local: { p50Us: sig(l.local.p50Us), p99Us: sig(l.local.p99Us) },
      })),
      endToEnd: mapValues(r.endToEnd, (e) => ({
        handshakesPerSecond: sig(e.handshakesPerSecond),
        resumptionRate: sig(e.resumptionRate),
        handshakes: e.handshakes,
        errors: e.errors,
      })),
      rotation: r.rotation,
      setup: r.setup,
    }),
    markdown: (f) => clusterMarkdown(f),
  },
  fetch: {
    title: "fetch resumption (bench/fetch.mjs): undici's default connector beside createFetchConnector over a name rotation",
    missing: () => (onPath('openssl') ? undefined : 'openssl (for its certificate) is not on PATH'),
    run: (options, { libPath, nodeLibPath, progress }) => runFetchRotation(options, libPath, nodeLibPath, progress),
    compact: (r) => ({
      names: r.names,
      rounds: r.rounds,
      repeats: r.repeats,
      concurrency: r.concurrency,
      fetchWith: r.fetchWith,
      tls: r.tls,
      // medians over the runs (per round, then of the later rounds); not the runs themselves
      connectors: mapValues(r.connectors, (c) => ({
        complete: c.complete,
        resumedByRound: c.resumedByRound.map(sig),
        resumedRatio: sig(c.resumedRatio),
        firstRoundPerSecond: sig(c.firstRoundPerSecond),
        laterRoundsPerSecond: sig(c.laterRoundsPerSecond),
        serverCpuMicros: c.serverCpuMicros.map(sig),
        clientCpuMicros: c.clientCpuMicros.map(sig),
      })),
    }),
    markdown: (f) => formatFetchRotation(f).join('\n'),
  },
  fleet: {
    title: "Fleet tier (bench/fleet.mjs): the Redis store's lookups beside a plain GET; two hosts behind one alternating client",
    missing: () => (onPath('redis-server') ? undefined : 'redis-server is not on PATH (apt-get install redis-server)'),
    run: (options, { libPath, nodeLibPath, progress }) =>
      runFleetBench({ ...options, indexLib: libPath, nodeLib: nodeLibPath, progress }),
    compact: (r) => ({
      lookups: r.lookups.map((/** @type {Record<string, any>} */ l) => ({
        kind: l.kind,
        recordBytes: l.recordBytes,
        rows: mapValues(l.rows, (x) => ({ opsPerSec: sig(x.opsPerSec), p50: sig(x.p50), p99: sig(x.p99) })),
      })),
      endToEnd: mapValues(r.endToEnd, (e) => ({
        handshakesPerSec: sig(e.handshakesPerSec),
        resumptionRate: sig(e.resumptionRate),
        serverCpuMicrosPerHandshake: sig(e.serverCpuMicrosPerHandshake),
        storeTimeouts: e.storeTimeouts,
      })),
    }),
    markdown: (f) => fleetMarkdown(f),
  },
  terminators: {
    title: '`tls-resumption serve` beside HAProxy and nginx (bench/terminator.mjs): TLS 1.2, tickets off, one process each',
    missing: () => (onPath('openssl') ? undefined : 'openssl (its s_time client) is not on PATH'),
    // the terminators this machine lacks are left out (runTerminatorBench logs each), and named in the report
    run: async (options, { progress }) => ({
      rows: await runTerminatorBench({ ...options, log: progress }),
      fleet: await runFleetTerminatorBench({ log: progress }),
      missing: availableTerminators().missing,
    }),
    // medians over the rounds, without the rounds
    compact: ({ rows, fleet, missing }) => ({
      rows: rows.map((/** @type {Record<string, any>} */ r) => ({
        name: r.name,
        fullPerSecond: sig(r.fullPerSecond),
        resumedPerSecond: sig(r.resumedPerSecond),
        p99FullMs: sig(r.p99FullMs),
        p99ResumedMs: sig(r.p99ResumedMs),
        resumedShare: sig(r.resumedShare),
      })),
      fleet: (fleet ?? []).map((/** @type {Record<string, any>} */ r) => ({
        name: r.name,
        resumedShare: sig(r.resumedShare),
        handshakesPerSecond: sig(r.handshakesPerSecond),
      })),
      missing,
    }),
    markdown: (f) =>
      `${terminatorTable(f.rows)}${f.fleet?.length ? `\n\n${fleetTerminatorTable(f.fleet)}` : ''}${f.missing.length === 0 ? '' : `\n\nNot installed here, so not run: ${f.missing.join('; ')}.`}`,
  },
};

/** @typedef {keyof typeof EXTRA_PHASES} ExtraId */

/**
 * A phase's entry in the results: its figures, or why it did not run ("skipped: …" or "failed: …").
 * @typedef {{ notRun: string } | { options: Record<string, any>, result: any }} ExtraResult
 */

/**
 * Run one extra phase with the mode's options. A phase this machine cannot run is skipped with a
 * note; one that fails is recorded as failed rather than losing the rest of the run's figures.
 * @param {ExtraId} id
 * @param {Record<string, any>} options
 * @param {RunContext} context
 * @returns {Promise<ExtraResult>}
 */
export async function runExtra(id, options, context) {
  const phase = EXTRA_PHASES[id];
  const missing = phase.missing();
  if (missing !== undefined) return { notRun: `skipped: ${missing}` };
  try {
    return { options, result: await phase.run(options, context) };
  } catch (error) {
    return { notRun: `failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The compact figures of the extra phases a run made (what the report's tables are made from).
 * @param {Record<string, ExtraResult> | undefined} extras
 * @returns {Record<string, Record<string, any>> | null}
 */
export function compactExtras(extras) {
  if (extras === undefined) return null;
  return mapValues(extras, (e, id) => ('notRun' in e ? e : EXTRA_PHASES[/** @type {ExtraId} */ (id)].compact(e.result)));
}

/**
 * The report's section for the extra phases: each one's table, or the note saying why it did not run.
 * @param {Record<string, Record<string, any>> | null} figures from {@link compactExtras}
 * @returns {string[]}
 */
export function extrasMarkdown(figures) {
  if (figures === null) return [];
  return Object.entries(figures).flatMap(([id, f]) => {
    const phase = EXTRA_PHASES[/** @type {ExtraId} */ (id)];
    if (phase === undefined) return [];
    if (typeof f.notRun === 'string') return ['', `**${phase.title}**: ${f.notRun}.`];
    return ['', `**${phase.title}**:`, '', phase.markdown(f)];
  });
}
