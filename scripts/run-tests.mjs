// Runs every vitest project once, then prints one plain closing line
// ("tests: N passed, N failed, N skipped") that any CI log reader understands.
// Arguments after `npm test --` go to vitest (e.g. `npm test -- packages/codecs`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const reportPath = '.cache/vitest-report.json';
mkdirSync('.cache', { recursive: true });
rmSync(reportPath, { force: true });

const result = spawnSync(
  'node_modules/.bin/vitest',
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportPath}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let summary = 'tests: no report written (vitest failed before running tests)';
try {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  summary = `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`;
  if (report.numTotalTests === 0) summary += ' (no test ran)';
  // Skips are never silent: each one is listed with its name, which carries its reason.
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status !== 'passed' && test.status !== 'failed') {
        console.log(`SKIPPED: ${test.fullName} (${file.name})`);
      }
    }
  }
} catch {
  // the summary above says what happened
}
console.log(`\n${summary}`);
process.exit(result.status ?? 1);
