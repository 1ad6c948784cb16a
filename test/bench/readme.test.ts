// bench/README.md quotes the reference run's tables as bench/report.mjs makes them from the
// committed compact figures: a change to either without the other fails here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
// @ts-expect-error: the benchmark is plain JavaScript without type declarations
import { README_BEGIN, README_END, withTables } from '../../bench/report.mjs';

/** Markdown with table padding taken out: Biome aligns the README's tables, the report does not. */
const unpadded = (md: string) =>
  md
    .replace(/ *\| */g, '|')
    .replace(/-+:/g, '-:')
    .replace(/-{3,}/g, '---');

test('the tables in bench/README.md are the committed figures, as the report prints them', () => {
  const readme = readFileSync(new URL('../../bench/README.md', import.meta.url), 'utf8');
  const tables = execFileSync(process.execPath, ['bench/report.mjs', 'bench/results/figures-default.json'], {
    encoding: 'utf8',
  }).trimEnd();
  expect(readme).toContain(README_BEGIN);
  expect(readme).toContain(README_END);
  expect(unpadded(withTables(readme, tables))).toBe(unpadded(readme));
  // and the check can fail: other tables do not match
  expect(unpadded(withTables(readme, tables.replace(/\d\.\d\d/, '9.99')))).not.toBe(unpadded(readme));
});
