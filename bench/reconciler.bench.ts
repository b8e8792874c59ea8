/**
 * `npm run bench:reconciler`: the reconciler's cost by number of stacks. Starts the local cloud
 * behind the counting proxy (test/helpers/aws-proxy.ts), and for N copies of the reference stack
 * (BENCH_STACKS, default "1,10"; "1,10,50" for the full table) applies them in this process
 * (calls and CPU), then runs `reconciler plan` of the N as a fresh process of the built CLI and
 * reports its calls per operation, wall and CPU time, and the per-service in-flight peak. The
 * daemon's resync cost is one plan of all the stacks (a resync round of `reconciler run`), beside
 * one single-stack plan per stack (how it resynced before), per resync and per hour at the
 * default resync of 5 minutes. The start-up floor
 * (`node -e 0`, `--help`, `validate specs/`) comes first. BENCH_RUNS sets the CLI runs (default 5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reconcile } from '../reconciler/engine/reconcile.ts';
import { startLocalCloud } from '../scripts/local/local-cloud.ts';
import { type AwsProxy, startAwsProxy } from '../test/helpers/aws-proxy.ts';
import { referenceCopies, writeCopies } from '../test/helpers/reference-copies.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const sizes = (process.env.BENCH_STACKS ?? '1,10').split(',').map(Number);
const DEFAULT_RESYNC_S = 300;

interface Run {
  wallMs: number;
  cpuMs: number;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** timed runs the built CLI as a child and measures its wall time and CPU time (user + system). */
function timed(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // /usr/bin/time is not everywhere: the child reports its own CPU time on exit instead
    const child = spawn(
      process.execPath,
      [
        '--import',
        `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\ncpu-us '+(u.user+u.system)+'\\n')})`,
        ...args,
      ],
      { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const cpu = /cpu-us (\d+)/.exec(stderr)?.[1];
      if (!cpu || (code !== 0 && code !== 2)) {
        reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
        return;
      }
      resolve({ wallMs, cpuMs: Number(cpu) / 1000 });
    });
  });
}

async function medianOf(args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  const measured: Run[] = [];
  for (let run = 0; run < runs; run += 1) measured.push(await timed(args, env));
  return {
    wallMs: median(measured.map((m) => m.wallMs)),
    cpuMs: median(measured.map((m) => m.cpuMs)),
  };
}

function byOperation(proxy: AwsProxy): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of proxy.calls()) {
    const key = `${call.service} ${call.operation}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
const ms = (value: number) => value.toFixed(0);

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist/bundle/reconciler/cli.js'))) {
    console.log('dist/ is missing: running npm run build');
    spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${load}, ${runs} CLI runs each (medians)\n`,
  );
  console.log('start-up floor:');
  for (const [name, args] of [
    ['node -e 0', ['-e', '0']],
    ['reconciler --help', ['bin/reconciler.js', '--help']],
    ['reconciler validate specs/', ['bin/reconciler.js', 'validate', 'specs/']],
  ] as const) {
    const run = await medianOf([...args]);
    console.log(
      `  ${name.padEnd(28)} ${ms(run.wallMs).padStart(6)} ms wall ${ms(run.cpuMs).padStart(6)} ms CPU`,
    );
  }

  // a loaded machine may need longer than the tests' 30 s to start the emulator
  const moto = await startLocalCloud({ timeoutMs: 180_000 });
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  process.env.AWS_REGION ??= 'us-west-2';
  const proxy = await startAwsProxy(moto.endpoint);
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  const specDir = mkdtempSync(join(tmpdir(), 'bench-reconciler-'));
  const tables: Array<{ stacks: number; calls: Map<string, number> }> = [];
  try {
    for (const count of sizes) {
      const stacks = await referenceCopies(count);
      writeCopies(specDir, count);
      proxy.reset();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const applied = await reconcile({ stacks, mode: 'apply' });
      const applyCpu = process.cpuUsage(cpuBefore);
      if (applied.failures.length > 0) {
        throw new Error(
          `apply of ${count} failed: ${JSON.stringify(applied.failures).slice(0, 500)}`,
        );
      }
      const applyCalls = proxy.calls().length;
      const applyWall = performance.now() - started;

      proxy.reset();
      await timed(['bin/reconciler.js', 'plan', specDir, '--detailed-exitcode']);
      const calls = byOperation(proxy);
      const peak = proxy.peakInFlight();
      const services = [...new Set(proxy.calls().map((call) => call.service))];
      const servicePeak = Math.max(...services.map((service) => proxy.peakInFlight(service)));
      const plan = await medianOf(['bin/reconciler.js', 'plan', specDir, '--detailed-exitcode']);
      tables.push({ stacks: count, calls });

      // a resync round of the daemon is one plan of the stacks due (test/daemon-resync-calls.stress.ts);
      // before, each stack was observed on its own
      proxy.reset();
      await reconcile({ stacks, mode: 'plan' });
      const perResync = proxy.calls().length;
      proxy.reset();
      for (const stack of stacks) await reconcile({ stacks: [stack], mode: 'plan' });
      const perStack = proxy.calls().length;

      console.log(`\n${count} stacks (the apply creates those the sizes before did not):`);
      console.log(
        `  apply: ${applyCalls} calls, ${ms(applyWall)} ms wall, ${ms((applyCpu.user + applyCpu.system) / 1000)} ms CPU (in process)`,
      );
      console.log(
        `  no-op plan: ${sum(calls)} calls, ${ms(plan.wallMs)} ms wall, ${ms(plan.cpuMs)} ms CPU; in flight at most ${peak} (${servicePeak} of one service)`,
      );
      const perHour = (calls: number) => Math.round((calls * 3600) / DEFAULT_RESYNC_S);
      console.log(
        `  daemon: ${perResync} calls per resync, ${perHour(perResync)} per hour at the default resync (5m); one stack at a time: ${perStack} and ${perHour(perStack)}`,
      );
    }
    console.log('\nno-op plan calls per operation:\n');
    console.log(`| operation | ${tables.map((t) => `${t.stacks} stacks`).join(' | ')} |`);
    console.log(`| --- | ${tables.map(() => '---:').join(' | ')} |`);
    const operations = [...new Set(tables.flatMap((t) => [...t.calls.keys()]))].sort();
    for (const operation of operations) {
      console.log(
        `| ${operation} | ${tables.map((t) => t.calls.get(operation) ?? 0).join(' | ')} |`,
      );
    }
    console.log(`| **total** | ${tables.map((t) => `**${sum(t.calls)}**`).join(' | ')} |`);
  } finally {
    rmSync(specDir, { recursive: true, force: true });
    await proxy.close();
    await moto.stop();
  }
}

await main();
