// bench/README.md quotes the reference run's tables as bench/report.mjs makes them from the
// committed compact figures: a change to either without the other fails here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
// @ts-expect-error: the benchmark is plain JavaScript without type declarations
import { README_BEGIN, README_END, withTables } from '../../bench/report.mjs';

test('the tables in bench/README.md are the committed figures, as the report prints them', () => {
  const readme = readFileSync(new URL('../../bench/README.md', import.meta.url), 'utf8');
  const tables = execFileSync(process.execPath, ['bench/report.mjs', 'bench/results/figures-full.json'], {
    encoding: 'utf8',
  }).trimEnd();
  expect(readme).toContain(README_BEGIN);
  expect(readme).toContain(README_END);
  expect(withTables(readme, tables)).toBe(readme);
  // and the check can fail: other tables do not match
  expect(withTables(readme, tables.replace(/\d\.\d\d/, '9.99'))).not.toBe(readme);
});
