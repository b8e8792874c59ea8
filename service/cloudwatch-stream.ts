/**
 * A writable destination for pino that ships each log line to a CloudWatch Logs stream, for
 * runs outside ECS (inside ECS the awslogs driver ships stdout). Lines are batched (by count,
 * bytes and time), the buffer is bounded (the oldest lines are dropped and counted when
 * CloudWatch cannot keep up), and close() flushes what is left.
 */
import { Writable } from 'node:stream';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';

/** CloudWatchStreamOptions names the destination and bounds the buffer. */
export interface CloudWatchStreamOptions {
  logGroup: string;
  logStream: string;
  client?: CloudWatchLogsClient;
  flushIntervalMs?: number;
  maxBufferedEvents?: number;
  /** onError reports a failed delivery; it must not log through the same stream. */
  onError?: (err: unknown) => void;
}

interface BufferedEvent {
  timestamp: number;
  message: string;
}

const maxBatchEvents = 10_000;
const maxBatchBytes = 1_000_000;
const eventOverheadBytes = 26;
const maxEventBytes = 256 * 1024 - eventOverheadBytes;

function errorName(err: unknown): string {
  return (err as { name?: string }).name ?? '';
}

/** CloudWatchStream is a Writable of newline-terminated log lines. */
export class CloudWatchStream extends Writable {
  readonly client: CloudWatchLogsClient;
  readonly logGroup: string;
  readonly logStream: string;
  dropped = 0;
  sent = 0;
  private buffer: BufferedEvent[] = [];
  private readonly maxBuffered: number;
  private readonly timer: NodeJS.Timeout;
  private ready: Promise<void> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly onError: (err: unknown) => void;

  constructor(options: CloudWatchStreamOptions) {
    super({ decodeStrings: false });
    this.client = options.client ?? new CloudWatchLogsClient({});
    this.logGroup = options.logGroup;
    this.logStream = options.logStream;
    this.maxBuffered = options.maxBufferedEvents ?? 20_000;
    this.onError = options.onError ?? ((err) => process.stderr.write(`cloudwatch logs: ${err}\n`));
    this.timer = setInterval(() => {
      void this.flush();
    }, options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const now = Date.now();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const message =
        Buffer.byteLength(line) > maxEventBytes ? line.slice(0, maxEventBytes / 4) : line;
      this.buffer.push({ timestamp: now, message });
    }
    if (this.buffer.length > this.maxBuffered) {
      const excess = this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
    if (this.buffer.length >= maxBatchEvents) void this.flush();
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    clearInterval(this.timer);
    this.flush().then(
      () => callback(),
      (err: Error) => callback(err),
    );
  }

  private ensureStream(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await this.client.send(new CreateLogGroupCommand({ logGroupName: this.logGroup }));
      } catch (err) {
        if (errorName(err) !== 'ResourceAlreadyExistsException') throw err;
      }
      try {
        await this.client.send(
          new CreateLogStreamCommand({
            logGroupName: this.logGroup,
            logStreamName: this.logStream,
          }),
        );
      } catch (err) {
        if (errorName(err) !== 'ResourceAlreadyExistsException') throw err;
      }
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw new Error(`cannot create log stream ${this.logGroup}/${this.logStream}`, {
        cause: err,
      });
    });
    return this.ready;
  }

  private takeBatch(): BufferedEvent[] {
    let bytes = 0;
    let count = 0;
    for (const event of this.buffer) {
      const size = Buffer.byteLength(event.message) + eventOverheadBytes;
      if (count >= maxBatchEvents || bytes + size > maxBatchBytes) break;
      bytes += size;
      count++;
    }
    return this.buffer.splice(0, count);
  }

  /** flush sends everything buffered now, one PutLogEvents call per batch, in order. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.buffer.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.ensureStream();
          await this.client.send(
            new PutLogEventsCommand({
              logGroupName: this.logGroup,
              logStreamName: this.logStream,
              logEvents: batch,
            }),
          );
          this.sent += batch.length;
        } catch (err) {
          this.buffer.unshift(...batch);
          if (this.buffer.length > this.maxBuffered) {
            const excess = this.buffer.length - this.maxBuffered;
            this.buffer.splice(0, excess);
            this.dropped += excess;
          }
          this.onError(err);
          return;
        }
      }
    });
    return this.flushing;
  }
}
