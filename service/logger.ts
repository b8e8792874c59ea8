/**
 * The service's pino logger: JSON lines on stdout (the awslogs driver ships them from ECS), or
 * also straight to CloudWatch Logs with LOG_DESTINATION=cloudwatch. Secrets and credentials
 * are redacted wherever they appear in a logged object.
 */
import { hostname } from 'node:os';
import { type Logger, pino, type StreamEntry } from 'pino';
import { CloudWatchStream } from './cloudwatch-stream.ts';
import type { ServiceConfig } from './config.ts';

/**
 * redactPaths are the fields never written to a log line. They are concrete paths (no
 * wildcards): wildcard redaction walks every logged object and was a measurable share of the
 * per-request cost.
 */
export const redactPaths = [
  'password',
  'DB_PASSWORD',
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'db.password',
  'database.password',
  'config.database.password',
  'err.config.password',
  'err.cause.config.password',
];

/** ServiceLogger is the logger and how to flush and close its destination on shutdown. */
export interface ServiceLogger {
  logger: Logger;
  close(): Promise<void>;
}

/** createLogger builds the logger for the configured level and destination. */
export function createLogger(
  config: Pick<ServiceConfig, 'logLevel' | 'logDestination' | 'logGroup' | 'logStream'>,
  stdout: NodeJS.WritableStream = process.stdout,
): ServiceLogger {
  const options = {
    level: config.logLevel,
    base: { service: 'log-service' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (config.logDestination !== 'cloudwatch' || !config.logGroup) {
    return { logger: pino(options, stdout), close: async () => {} };
  }
  const cloudwatch = new CloudWatchStream({
    logGroup: config.logGroup,
    logStream: config.logStream ?? `${hostname()}-${process.pid}-${Date.now()}`,
  });
  const streams: StreamEntry[] = [
    { stream: stdout, level: config.logLevel as pino.Level },
    { stream: cloudwatch, level: config.logLevel as pino.Level },
  ];
  const logger = pino(options, pino.multistream(streams));
  return {
    logger,
    close: () =>
      new Promise<void>((resolve) => {
        cloudwatch.end(() => resolve());
      }),
  };
}
