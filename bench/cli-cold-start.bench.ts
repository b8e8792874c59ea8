/**
 * Cold start of `reconciler validate`: runs the built CLI (`node bin/reconciler.js validate specs/`)
 * N times as a fresh process and prints the median, next to plain `node -e 0` as the floor.
 * Builds dist/ first when it is missing. BENCH_RUNS sets N (default 20).
 * Besides wall time it reports the CPU time the child used (user + system, from /proc on Linux),
 * which depends far less on what else the machine is doing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Math.max(3, Number(process.env.BENCH_RUNS ?? 20));

interface Scenario {
  name: string;
  args: string[];
  expectedStatus: number;
}

const scenarios: Scenario[] = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'], expectedStatus: 0 },
  { name: 'reconciler --help', args: ['bin/reconciler.js', '--help'], expectedStatus: 0 },
  {
    name: 'reconciler validate specs/',
    args: ['bin/reconciler.js', 'validate', 'specs/'],
    expectedStatus: 0,
  },
  {
    name: 'reconciler validate specs/ specs/examples/',
    args: ['bin/reconciler.js', 'validate', 'specs/', 'specs/examples/'],
    expectedStatus: 0,
  },
  {
    name: 'reconciler validate (51 invalid specs)',
    args: ['bin/reconciler.js', 'validate', 'test/fixtures/invalid/'],
    expectedStatus: 1,
  },
  {
    name: 'reconciler run --help',
    args: ['bin/reconciler.js', 'run', '--help'],
    expectedStatus: 0,
  },
  {
    name: 'reconciler iam-policy --help',
    args: ['bin/reconciler.js', 'iam-policy', '--help'],
    expectedStatus: 0,
  },
];

function percentile(sorted: number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

/** childCpuMs is the CPU time (ms) of this process's waited-for children, or NaN off Linux. */
function childCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: cutime and cstime are fields 16 and 17 of stat(5), in clock ticks.
    const ticks = Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

function measure(scenario: Scenario): { median: number; p90: number; min: number; cpu: number } {
  const durations: number[] = [];
  const cpuTimes: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const cpuBefore = childCpuMs();
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, scenario.args, { cwd: root, stdio: 'ignore' });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== scenario.expectedStatus) {
      throw new Error(
        `${scenario.name} exited ${result.status}, expected ${scenario.expectedStatus}`,
      );
    }
    durations.push(elapsed);
    cpuTimes.push(childCpuMs() - cpuBefore);
  }
  durations.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  return {
    median: percentile(durations, 0.5),
    p90: percentile(durations, 0.9),
    min: durations[0]!,
    cpu: percentile(cpuTimes, 0.5),
  };
}

if (!existsSync(`${root}dist/reconciler/cli.js`)) {
  console.log('dist/ is missing: running npm run build');
  spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}

console.log(`cold start, ${runs} runs each (ms; median, p90 and min wall time, median CPU time)\n`);
const rows = scenarios.map((scenario) => ({ scenario: scenario.name, ...measure(scenario) }));
const width = Math.max(...rows.map((row) => row.scenario.length));
console.log(
  `${'scenario'.padEnd(width)}  ${'median'.padStart(7)}  ${'p90'.padStart(7)}  ${'min'.padStart(7)}  ${'cpu'.padStart(7)}`,
);
for (const row of rows) {
  console.log(
    `${row.scenario.padEnd(width)}  ${row.median.toFixed(0).padStart(7)}  ${row.p90.toFixed(0).padStart(7)}  ${row.min.toFixed(0).padStart(7)}  ${row.cpu.toFixed(0).padStart(7)}`,
  );
}
const floor = rows[0]!.median;
const validate = rows[2]!.median;
console.log(
  `\nvalidate specs/ costs ${(validate - floor).toFixed(0)} ms wall and ${(rows[2]!.cpu - rows[0]!.cpu).toFixed(0)} ms CPU above a bare node start (median; cpu = user + system of the child).`,
);
