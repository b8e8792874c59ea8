import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../resources/types.ts';
import { streamStatus } from './events.ts';
import { loadPage, PAGE_DIR, type PageFiles } from './page.ts';

/** ProbeResult is the answer of a health or readiness check. */
export interface ProbeResult {
  ok: boolean;
  checks: Record<string, { ok: boolean; message: string }>;
}

/** StatusEndpoints is what the HTTP listener serves; each is called per request. */
export interface StatusEndpoints {
  healthz(): ProbeResult;
  readyz(): ProbeResult;
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): unknown;
  /** subscribe notifies of status changes (the page's event stream); without it /events is 404. */
  subscribe?(listener: () => void): () => void;
  /** page serves the status page at / (default: the files of reconciler/daemon/page/). */
  page?: PageFiles;
  log?: Logger;
}

/** StatusServer is the daemon's listener for probes, metrics and status. */
export interface StatusServer {
  /** url is `http://host:port` once listening. */
  readonly url: string;
  close(): Promise<void>;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(text);
}

async function route(
  endpoints: StatusEndpoints,
  page: PageFiles,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' });
    response.end();
    return;
  }
  switch (path) {
    case '/healthz':
    case '/readyz': {
      const probe = path === '/healthz' ? endpoints.healthz() : endpoints.readyz();
      sendJson(response, probe.ok ? 200 : 503, probe);
      return;
    }
    case '/metrics': {
      const { contentType, body } = await endpoints.metrics();
      response.writeHead(200, { 'content-type': contentType });
      response.end(body);
      return;
    }
    case '/status':
      sendJson(response, 200, endpoints.status());
      return;
    case '/events':
      if (endpoints.subscribe) {
        streamStatus(request, response, {
          status: () => endpoints.status(),
          subscribe: endpoints.subscribe.bind(endpoints),
        });
        return;
      }
      break;
  }
  if (!page.serve(request, path, response)) {
    sendJson(response, 404, { error: `no route for ${path}` });
  }
}

/**
 * startStatusServer listens on host:port (node:http, no framework) and serves /healthz,
 * /readyz, /metrics, /status, the read-only status page at / and its event stream at /events.
 * Port 0 picks a free port; read it from url.
 */
export async function startStatusServer(
  endpoints: StatusEndpoints,
  listen: { host: string; port: number },
): Promise<StatusServer> {
  const page = endpoints.page ?? loadPage(PAGE_DIR);
  if (page.missing) endpoints.log?.warn({}, `${page.missing}: / answers 404`);
  const server: Server = createServer((request, response) => {
    route(endpoints, page, request, response).catch((err: unknown) => {
      endpoints.log?.error({ err, path: request.url }, 'status endpoint failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`cannot listen on ${listen.host}:${listen.port}`, { cause: err })),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
