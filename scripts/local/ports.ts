import { createServer } from 'node:net';

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** freePort asks the kernel for an unused loopback port. */
export async function freePort(): Promise<number> {
  const port = await listenOnce(0);
  if (port === undefined) throw new Error('cannot find a free loopback port');
  return port;
}

/** preferredPort returns `preferred` when it is free on the loopback, any free port otherwise. */
export async function preferredPort(preferred: number): Promise<number> {
  return (await listenOnce(preferred)) ?? freePort();
}
