/**
 * runLoad drives the stages with autocannon. A virtual user is one autocannon instance with one
 * keep-alive connection (a closed loop: it sends its next request when the answer to the last
 * one arrives), so the schedule can start and stop users one at a time, as k6's ramping
 * executor does; each user's requests come from its own VirtualUser (traffic.ts), and every
 * answer is timed and counted by the Recorder. autocannon's own histograms are replaced by no-op
 * ones (400 users would otherwise hold 2 MB of histograms each): the Recorder measures.
 */
import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import autocannon, { type CustomHistogram, type Instance } from 'autocannon';
import { failureOf, Recorder, Tally } from './recorder.ts';
import { type Stage, stageAt, targetAt, totalDuration } from './stages.ts';
import { VirtualUser } from './traffic.ts';

/** Progress is what one live line reports: the last interval's traffic and where the run is. */
export interface Progress {
  elapsedMs: number;
  stage: number;
  users: number;
  window: Tally;
  windowMs: number;
}

export interface RunOptions {
  url: string;
  stages: Stage[];
  /** bucketMs is the width of one timeline bucket (chart points). */
  bucketMs: number;
  progressEveryMs?: number;
  onProgress?: (progress: Progress) => void;
  /** onStageStart is called as each stage begins (after the previous one ended). */
  onStageStart?: (stage: number) => void;
  /** signal stops the run early (Ctrl-C); what was measured is still reported. */
  signal?: AbortSignal;
}

/** RunResult is the measurements of a finished run. */
export interface RunResult {
  startedAt: Date;
  durationMs: number;
  recorder: Recorder;
  /** aborted says why the run stopped early, when it did. */
  aborted?: string;
}

/** SCHEDULE_TICK_MS is how often the number of users is matched to the schedule. */
const SCHEDULE_TICK_MS = 100;
/** GIVE_UP_MS: with nothing but failures for this long the target is gone; the run stops. */
const GIVE_UP_MS = 15_000;

const noHistogram = (): CustomHistogram => ({
  __custom: true,
  recordValue() {},
  recordValueWithExpectedInterval() {},
  reset() {},
  destroy() {},
});

/**
 * checkReachable asks GET /healthz once, so a wrong URL fails before any load is sent (with
 * node:http, as autocannon connects: fetch refuses some ports outright).
 */
export async function checkReachable(url: string): Promise<void> {
  const target = new URL('healthz', url.endsWith('/') ? url : `${url}/`);
  const get = target.protocol === 'https:' ? httpsGet : httpGet;
  const status = await new Promise<number>((resolve, reject) => {
    const request = get(target, { timeout: 10_000, rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error('no answer in 10 s'), { code: 'timeout' })),
    );
    request.on('error', reject);
  }).catch((err: Error & { code?: string }) => {
    throw new Error(`cannot reach --url ${url}: ${err.code ?? err.message}`, { cause: err });
  });
  if (status >= 500)
    throw new Error(`cannot use --url ${url}: GET ${target.pathname} answered ${status}`);
}

export async function runLoad(options: RunOptions): Promise<RunResult> {
  const { stages } = options;
  const base = new URL(options.url);
  const prefix = base.pathname.replace(/\/$/, '');
  const total = totalDuration(stages);
  const recorder = new Recorder(stages, options.bucketMs);
  const runId = randomBytes(4).toString('hex');
  const users: Array<{ instance: Instance; stopped: Promise<void> }> = [];
  const stopping: Array<Promise<void>> = [];
  const progressEveryMs = options.progressEveryMs ?? 5000;
  const startedAt = new Date();
  const start = performance.now();
  const elapsed = () => performance.now() - start;
  let finished = false;
  let created = 0;
  let window = new Tally();
  let lastAnswer = start;
  let lastFailure = '';

  function record(
    user: VirtualUser,
    outcome: { status: number; latencyMs: number } | { error: string },
  ) {
    if (finished) return;
    const at = elapsed();
    recorder.response(stageAt(stages, at), at, user.last?.kind, outcome);
    if ('status' in outcome) {
      window.add(outcome.latencyMs, failureOf(outcome.status));
      lastAnswer = performance.now();
    } else {
      window.add(undefined, outcome.error);
      lastFailure = outcome.error;
    }
  }

  function startUser(): void {
    created += 1;
    const user = new VirtualUser(`lt-${runId}-${created}`);
    let resolveStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      resolveStopped = resolve;
    });
    const instance = autocannon(
      {
        url: base.origin,
        connections: 1,
        // the schedule stops every user; this only bounds a user the schedule lost
        duration: Math.ceil(total / 1000) + 30,
        timeout: 10,
        sampleInt: SCHEDULE_TICK_MS,
        skipAggregateResult: true,
        histograms: {
          latencies: noHistogram(),
          requests: noHistogram(),
          throughput: noHistogram(),
        },
        requests: [
          {
            setupRequest: (request) => {
              const next = user.next();
              return {
                ...request,
                method: next.method,
                path: `${prefix}${next.path}`,
                headers: { ...next.headers },
                body: next.body,
              };
            },
            onResponse: (status, body) => user.onResponse(status, body),
          },
        ],
      },
      () => resolveStopped(),
    );
    instance.on('response', (_client, status, _bytes, latencyMs) =>
      record(user, { status, latencyMs }),
    );
    instance.on('reqError', (error) =>
      record(user, {
        error: error.code ?? (/timed out/.test(error.message) ? 'timeout' : 'error'),
      }),
    );
    users.push({ instance, stopped });
  }

  function stopUser(): void {
    const user = users.pop();
    if (!user) return;
    user.instance.stop();
    stopping.push(user.stopped);
  }

  let currentStage = -1;
  let nextProgress = progressEveryMs;
  const aborted = await new Promise<string | undefined>((resolve) => {
    const tick = () => {
      const at = elapsed();
      if (at >= total) return resolve(undefined);
      if (options.signal?.aborted) return resolve('interrupted');
      if (lastFailure && performance.now() - lastAnswer > GIVE_UP_MS) {
        return resolve(
          `no answer from ${options.url} for ${GIVE_UP_MS / 1000} s (last error: ${lastFailure})`,
        );
      }
      const stage = stageAt(stages, at);
      if (stage !== currentStage) {
        currentStage = stage;
        options.onStageStart?.(stage);
      }
      const want = targetAt(stages, at);
      while (users.length < want) startUser();
      while (users.length > want) stopUser();
      recorder.running(stage, at, users.length);
      if (at >= nextProgress) {
        options.onProgress?.({
          elapsedMs: at,
          stage,
          users: users.length,
          window,
          windowMs: progressEveryMs,
        });
        window = new Tally();
        nextProgress += progressEveryMs;
      }
      setTimeout(tick, SCHEDULE_TICK_MS);
    };
    tick();
  });
  const durationMs = elapsed();
  finished = true;
  while (users.length > 0) stopUser();
  // a user ends at its next sample; one that does not within 5 s is not waited for
  await Promise.race([
    Promise.all(stopping),
    new Promise((resolve) => setTimeout(resolve, 5000).unref()),
  ]);
  return { startedAt, durationMs, recorder, ...(aborted ? { aborted } : {}) };
}
