import type { IncomingMessage, ServerResponse } from 'node:http';

/** StatusStreamOptions: where a status stream gets its snapshots and change notices. */
export interface StatusStreamOptions {
  /** status is the body of /status, sent whole with each event. */
  status(): unknown;
  /** subscribe calls the listener on every change and returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Changes closer together than this are sent as one event (default 250 ms). */
  throttleMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream (default 15 s). */
  keepAliveMs?: number;
}

/**
 * streamStatus answers GET /events with server-sent events: a `status` event holding the same
 * JSON as /status at once, then one after each change (at most one per throttleMs), until the
 * client goes away. The browser's EventSource reconnects by itself after `retry` ms.
 */
export function streamStatus(
  request: IncomingMessage,
  response: ServerResponse,
  options: StatusStreamOptions,
): void {
  const throttleMs = options.throttleMs ?? 250;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  let lastSent = 0;
  let timer: NodeJS.Timeout | undefined;
  const send = (): void => {
    timer = undefined;
    lastSent = Date.now();
    response.write(`event: status\ndata: ${JSON.stringify(options.status())}\n\n`);
  };
  const changed = (): void => {
    if (timer) return;
    timer = setTimeout(send, Math.max(0, lastSent + throttleMs - Date.now()));
  };
  response.write('retry: 2000\n\n');
  send();
  const unsubscribe = options.subscribe(changed);
  const keepAlive = setInterval(
    () => response.write(': keep-alive\n\n'),
    options.keepAliveMs ?? 15_000,
  );
  keepAlive.unref();
  response.on('close', () => {
    unsubscribe();
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
  });
}
