/**
 * The HTTP server around the app. Requests Node refuses before Express sees them (a request line
 * or headers beyond maxHeaderSize, malformed HTTP, a request that timed out) get the same JSON
 * error body as every other error instead of Node's bare status line.
 */
import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServiceApp } from './app.ts';

/** createHttpServer serves app with the service's timeouts and JSON answers to client errors. */
export function createHttpServer(app: ServiceApp): Server {
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  server.on('clientError', answerClientError);
  return server;
}

/** clientErrorAnswer is the status and code for an error Node's HTTP parser raised. */
export function clientErrorAnswer(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): {
  status: number;
  code: string;
  message: string;
} {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    // the parser counts the request line with the headers: no line end yet means the line itself
    const lineEnded = err.rawPacket?.includes('\r\n') ?? true;
    return lineEnded
      ? { status: 431, code: 'headers_too_large', message: 'the request headers are too large' }
      : { status: 414, code: 'uri_too_long', message: 'the request line is too long' };
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'request_timeout', message: 'the request took too long to arrive' };
  }
  return { status: 400, code: 'bad_request', message: 'the request is not valid HTTP' };
}

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // as Node's own handler: answer only a connection that has had no response written yet
  const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
  if (err.code !== 'ECONNRESET' && socket.writable && written === 0) {
    const { status, code, message } = clientErrorAnswer(err);
    const body = JSON.stringify({ error: { code, message, details: null } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
