/**
 * A fault-injecting HTTP proxy between the SDK and the local cloud. Each request is, with a
 * seeded probability, answered by one of the faults AWS clients meet: a response lost after
 * the request took effect (the connection reset once the cloud answered), a connection reset
 * before forwarding, a 500 or 503, a throttling error in the protocol of the service, or a
 * delay. The same seed gives the same faults for the same sequence of requests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest, operationOf } from './aws-proxy.ts';

/** Fault is what the proxy does instead of forwarding a request unchanged. */
export type Fault = 'drop-response' | 'reset' | 'status-500' | 'status-503' | 'throttle' | 'delay';

/** FAULTS is the mix drawn from, each equally likely. */
export const FAULTS: readonly Fault[] = [
  'drop-response',
  'reset',
  'status-500',
  'status-503',
  'throttle',
  'delay',
];

/** FaultProxyOptions sets the fault rate, the seed and targeted faults. */
export interface FaultProxyOptions {
  /** the share of requests that get a fault, 0 to 1 */
  rate?: number;
  seed?: number;
  /** faults for given operations, each used once, before the random draw (`CreateInternetGateway: drop-response`) */
  once?: Array<{ operation: string; fault: Fault }>;
  /** a fault for the first request of each operation it names one for */
  firstOfEach?: (operation: string) => Fault | undefined;
  /** called after each request forwarded to the cloud, with their count so far */
  onForwarded?: (count: number, operation: string) => void;
}

/** FaultProxy is the running proxy and what it did. */
export interface FaultProxy {
  endpoint: string;
  /** requests received, requests forwarded, and faults by kind */
  stats(): { requests: number; forwarded: number; faults: Record<string, number> };
  /** the requests forwarded, in order: operation and body as sent */
  forwardedRequests(): Array<{ operation: string; body: string }>;
  /** setRate changes the share of faulty requests from now on */
  setRate(rate: number): void;
  close(): Promise<void>;
}

/** mulberry32 is a small seeded generator of numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** errorAnswer is an error response in the wire format of the request's protocol. */
function errorAnswer(
  req: IncomingMessage,
  body: string,
  status: number,
  code: string,
): { status: number; headers: Record<string, string>; body: string } {
  const message = `injected ${code}`;
  if (typeof req.headers['x-amz-target'] === 'string') {
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  const query = new URLSearchParams(body);
  if (!query.has('Action')) return { status, headers: {}, body: '' };
  const ec2 = /^Version=2016-11-15|&Version=2016-11-15/.test(body);
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: ec2
      ? `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>fault</RequestID></Response>`
      : `<ErrorResponse><Error><Type>Receiver</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>`,
  };
}

function throttling(req: IncomingMessage, body: string) {
  if (typeof req.headers['x-amz-target'] === 'string')
    return errorAnswer(req, body, 400, 'ThrottlingException');
  // EC2 answers RequestLimitExceeded with 503; the other query APIs Throttling with 400
  return /Version=2016-11-15/.test(body)
    ? errorAnswer(req, body, 503, 'RequestLimitExceeded')
    : errorAnswer(req, body, 400, 'Throttling');
}

/** startFaultProxy listens on a free loopback port and forwards to target, injecting faults. */
export async function startFaultProxy(
  target: string,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const random = mulberry32(options.seed ?? 1);
  let rate = options.rate ?? 0;
  const once = [...(options.once ?? [])];
  let requests = 0;
  let forwarded = 0;
  const sent: Array<{ operation: string; body: string }> = [];
  const faults: Record<string, number> = {};
  const seen = new Set<string>();

  const pick = (operation: string, url: string): Fault | undefined => {
    // the emulator's own API (reset, state) is the test's, not the SDK's
    if (url.startsWith('/moto-api')) return undefined;
    const targeted = once.findIndex((entry) => entry.operation === operation);
    if (targeted >= 0) return once.splice(targeted, 1)[0]?.fault;
    if (options.firstOfEach && !seen.has(operation)) {
      seen.add(operation);
      const fault = options.firstOfEach(operation);
      if (fault) return fault;
    }
    // always two draws, so a rate change does not shift the sequence of faults
    const [hit, which] = [random(), random()];
    return hit < rate ? FAULTS[Math.floor(which * FAULTS.length)] : undefined;
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    raw: Buffer,
    operation: string,
    drop: boolean,
  ) => {
    forwardRequest(
      upstream,
      req,
      raw,
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          forwarded += 1;
          sent.push({ operation, body: raw.toString('utf8') });
          options.onForwarded?.(forwarded, operation);
          // the cloud did it; the client never hears so
          if (drop) {
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      },
      () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      },
    );
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests += 1;
      const raw = Buffer.concat(chunks);
      const body = raw.toString('latin1');
      const url = req.url ?? '/';
      const operation = operationOf(req.headers, url, body);
      const fault = pick(operation, url);
      if (fault) faults[fault] = (faults[fault] ?? 0) + 1;
      const answer = (error: ReturnType<typeof errorAnswer>) => {
        res.writeHead(error.status, error.headers);
        res.end(error.body);
      };
      switch (fault) {
        case 'reset':
          req.socket.destroy();
          return;
        case 'status-500':
          answer(errorAnswer(req, body, 500, 'InternalError'));
          return;
        case 'status-503':
          answer(errorAnswer(req, body, 503, 'ServiceUnavailable'));
          return;
        case 'throttle':
          answer(throttling(req, body));
          return;
        case 'delay':
          setTimeout(
            () => forward(req, res, raw, operation, false),
            50 + Math.floor(random() * 450),
          );
          return;
        default:
          forward(req, res, raw, operation, fault === 'drop-response');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ requests, forwarded, faults: { ...faults } }),
    forwardedRequests: () => [...sent],
    setRate(next) {
      rate = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
