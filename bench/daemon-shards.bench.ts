/**
 * DynamoDB calls of `reconciler run --share-stacks`: R replicas (default 3) on S copies of
 * specs/examples/minimal.yaml (default 10) against the local cloud, at the default lease TTL
 * (15s). Waits until every stack converged, then counts each replica's dynamodb calls in its
 * /metrics over BENCH_WINDOW seconds (default 60) and prints them per minute, next to the
 * formula of docs/daemon.md: (180 / ttl) × (2R + S).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DaemonProcess,
  eventually,
  spawnDaemon,
  stopDaemon,
  warmUp,
} from '../test/daemon-harness.ts';
import { startMoto } from '../test/helpers/moto.ts';

const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const STACKS = Number(process.env.BENCH_STACKS ?? 10);
const WINDOW_S = Number(process.env.BENCH_WINDOW ?? 60);
const TTL_S = 15;

async function dynamodbCalls(daemon: DaemonProcess): Promise<number> {
  const text = await daemon.metrics();
  return text
    .split('\n')
    .filter((line) => line.startsWith('reconciler_aws_calls_total{service="dynamodb"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const moto = await startMoto();
const dir = await mkdtemp(join(tmpdir(), 'bench-shards-'));
const replicas: DaemonProcess[] = [];
try {
  await warmUp(moto.endpoint);
  const minimal = await readFile(
    new URL('../specs/examples/minimal.yaml', import.meta.url),
    'utf8',
  );
  const names = Array.from({ length: STACKS }, (_, i) => `bench-${i}`);
  for (const name of names) {
    await writeFile(join(dir, `${name}.yaml`), minimal.replaceAll('minimal', name));
  }
  for (let i = 0; i < REPLICAS; i++) {
    replicas.push(
      await spawnDaemon(moto.endpoint, [
        dir,
        '--share-stacks',
        '--lease-table',
        'bench-leases',
        '--replica-id',
        `replica-${i}`,
        '--aws-rps',
        '100',
      ]),
    );
  }
  await eventually(
    'every stack converged and held once',
    async () => {
      const bodies = await Promise.all(replicas.map((replica) => replica.status()));
      // a stack counts once: Ready in the status of the replica that holds it
      const ready = bodies.flatMap((body) => {
        const holds = new Set(
          (body as unknown as { replica: { shared?: { holds: string[] } } })?.replica.shared
            ?.holds ?? [],
        );
        return (body?.stacks ?? []).filter(
          (stack) =>
            holds.has(stack.name) &&
            stack.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
      });
      return ready.length === STACKS;
    },
    600_000,
  );
  const before = await Promise.all(replicas.map(dynamodbCalls));
  await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000));
  const after = await Promise.all(replicas.map(dynamodbCalls));
  const perMinute = after.map((n, i) => ((n - (before[i] ?? 0)) * 60) / WINDOW_S);
  const total = perMinute.reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      replicas: REPLICAS,
      stacks: STACKS,
      leaseTtlS: TTL_S,
      windowS: WINDOW_S,
      dynamodbCallsPerMinute: { perReplica: perMinute, total },
      formula: (180 / TTL_S) * (2 * REPLICAS + STACKS),
      load: loadavg().map((n) => n.toFixed(2)),
      date: new Date().toISOString(),
    }),
  );
} finally {
  await Promise.all(replicas.map((replica) => stopDaemon(replica)));
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
