/**
 * Sending JSON that is already text: the hot routes build their bodies as strings, and
 * res.end() with them skips Express's res.json/res.send work (a second pass over the body to
 * decide the content type, charset and length).
 */
import type { ServerResponse } from 'node:http';

/** sendJson answers with status and the JSON text body (Node sets Content-Length). */
export function sendJson(res: ServerResponse, status: number, json: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(json);
}
