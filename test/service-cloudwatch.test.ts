/**
 * LOG_DESTINATION=cloudwatch against moto: the service's log lines arrive in the log group as
 * the same JSON, secrets redacted, flushed on close; an unreachable CloudWatch drops the oldest
 * lines beyond the bounded buffer instead of growing without limit or blocking.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchStream } from '../service/cloudwatch-stream.ts';
import { createLogger } from '../service/logger.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

let moto: MotoServer;

before(async () => {
  moto = await startMoto();
});

after(async () => {
  await moto?.stop();
});

const discard = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

test('log lines reach the CloudWatch log group, redacted, flushed on close', async () => {
  const { logger, close } = createLogger(
    {
      logLevel: 'info',
      logDestination: 'cloudwatch',
      logGroup: '/service/test',
      logStream: 'task-1',
    },
    discard(),
  );
  for (let n = 0; n < 30; n++) {
    logger.info(
      { n, req: { headers: { authorization: 'Bearer top-secret' } }, db: { password: 'hunter2' } },
      'request completed',
    );
  }
  logger.debug('below the level');
  await close();

  const client = new CloudWatchLogsClient({});
  const streams = await client.send(
    new DescribeLogStreamsCommand({ logGroupName: '/service/test' }),
  );
  assert.deepStrictEqual(
    streams.logStreams?.map((stream) => stream.logStreamName),
    ['task-1'],
  );
  const events = await client.send(
    new GetLogEventsCommand({
      logGroupName: '/service/test',
      logStreamName: 'task-1',
      startFromHead: true,
    }),
  );
  const lines = (events.events ?? []).map(
    (event) => JSON.parse(event.message ?? '{}') as Record<string, unknown>,
  );
  assert.deepStrictEqual(
    lines.map((line) => line.n),
    Array.from({ length: 30 }, (_, n) => n),
  );
  assert.deepStrictEqual(lines[0]?.req, { headers: { authorization: '[redacted]' } });
  assert.deepStrictEqual(lines[0]?.db, { password: '[redacted]' });
  assert.ok(!JSON.stringify(lines).includes('hunter2'));
  assert.ok(!JSON.stringify(lines).includes('top-secret'));
});

test('an unreachable CloudWatch drops the oldest lines beyond the buffer bound', async () => {
  const errors: unknown[] = [];
  const stream = new CloudWatchStream({
    logGroup: '/service/unreachable',
    logStream: 'task-2',
    maxBufferedEvents: 10,
    flushIntervalMs: 60_000,
    client: new CloudWatchLogsClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
    onError: (err) => errors.push(err),
  });
  for (let n = 0; n < 50; n++) stream.write(`{"n":${n}}\n`);
  await new Promise<void>((resolve) => stream.end(() => resolve()));
  assert.deepStrictEqual([stream.dropped, stream.sent], [40, 0]);
  assert.ok(errors.length >= 1, 'the failure was reported');
});
