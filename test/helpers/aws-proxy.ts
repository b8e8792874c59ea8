import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** ProxiedCall is one HTTP request the proxy forwarded: which AWS operation, with which body. */
export interface ProxiedCall {
  /** the signing name of the credential scope: `ec2`, `ecs`, `elasticloadbalancing`, ... */
  service: string;
  operation: string;
  /** the request body as sent (query string, JSON or CBOR as text), to find repeated reads */
  body: string;
  status: number;
}

/** AwsProxy counts the requests between SDK clients and an AWS endpoint. */
export interface AwsProxy {
  /** the URL to give the clients (AWS_ENDPOINT_URL) instead of the target's */
  endpoint: string;
  /** every forwarded call, in the order the responses came back */
  calls(): ProxiedCall[];
  /** the most requests in flight at once since the last reset, over all services or of one */
  peakInFlight(service?: string): number;
  /** reset forgets the calls and the peaks */
  reset(): void;
  close(): Promise<void>;
}

/** operationOf names the operation of an AWS request, whichever of the SDK's protocols it uses. */
export function operationOf(
  headers: IncomingMessage['headers'],
  url: string,
  body: string,
): string {
  const target = headers['x-amz-target'];
  // JSON protocols: X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  // RPC v2 CBOR: POST /service/<Service>/operation/<Operation>
  const rpc = /\/operation\/([A-Za-z0-9]+)/.exec(url);
  if (rpc?.[1]) return rpc[1];
  // query protocols (EC2, IAM, RDS, ELBv2, Auto Scaling, SNS): Action=DescribeVpcs&...
  const action = new URLSearchParams(body).get('Action');
  return action ?? `${headers[':method'] ?? ''}${url}`;
}

/**
 * forwardRequest sends req, its body already read as raw, unchanged to upstream; onAnswer gets
 * the upstream's answer, onError a failure to reach it.
 */
export function forwardRequest(
  upstream: URL,
  req: IncomingMessage,
  raw: Buffer,
  onAnswer: (answer: IncomingMessage) => void,
  onError: () => void,
): void {
  const forwarded = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
    },
    onAnswer,
  );
  forwarded.on('error', onError);
  forwarded.end(raw);
}

function serviceOf(headers: IncomingMessage['headers']): string {
  const authorization = String(headers.authorization ?? '');
  // Credential=AKID/20260101/us-west-2/ec2/aws4_request
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? 'unknown';
}

/**
 * startAwsProxy listens on a free loopback port and forwards every request unchanged to
 * `target` (the local cloud), counting each call by service and operation and the requests in
 * flight, overall and per service.
 */
export async function startAwsProxy(target: string): Promise<AwsProxy> {
  const upstream = new URL(target);
  let calls: ProxiedCall[] = [];
  let inFlight = new Map<string, number>();
  let peaks = new Map<string, number>();
  const ALL = '';
  const move = (service: string, by: number) => {
    for (const key of [ALL, service]) {
      const now = (inFlight.get(key) ?? 0) + by;
      inFlight.set(key, now);
      if (now > (peaks.get(key) ?? 0)) peaks.set(key, now);
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('latin1');
      const service = serviceOf(req.headers);
      const operation = operationOf(req.headers, req.url ?? '/', body);
      move(service, 1);
      let settled = false;
      const settle = (status: number) => {
        if (settled) return;
        settled = true;
        move(service, -1);
        calls.push({ service, operation, body, status });
      };
      forwardRequest(
        upstream,
        req,
        raw,
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => settle(answer.statusCode ?? 502));
          answer.on('error', () => settle(502));
        },
        () => {
          settle(502);
          if (!res.headersSent) res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls: () => [...calls],
    peakInFlight: (service) => peaks.get(service ?? ALL) ?? 0,
    reset() {
      calls = [];
      peaks = new Map();
      inFlight = new Map([...inFlight].filter(([, count]) => count > 0));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
