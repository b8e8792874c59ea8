/**
 * The log explorer page: plain HTML, CSS and JavaScript files in service/explorer/, served as
 * they are (no build step). The files are found beside this module when run from source, and
 * at service/explorer/ from the repository root when run from dist/. Every answer forbids
 * scripts and styles from anywhere but this origin, and is revalidated (ETag) on each load so
 * an upgraded service never serves a stale script.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';

/** explorerDir is the folder holding index.html, or undefined when it is not deployed. */
export const explorerDir = ['../explorer/', '../../../service/explorer/']
  .map((dir) => fileURLToPath(new URL(dir, import.meta.url)))
  .find((dir) => existsSync(`${dir}index.html`));

const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** explorer builds the handler for `/` and the page's files. */
export function explorer(logger: Logger, dir = explorerDir): RequestHandler {
  if (dir === undefined) {
    logger.warn('the log explorer files (service/explorer/) are missing: / answers 404');
    return (_req, _res, next) => next();
  }
  return express.static(dir, {
    index: 'index.html',
    cacheControl: true,
    maxAge: 0,
    etag: true,
    lastModified: false,
    setHeaders(res) {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Security-Policy', contentSecurityPolicy);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
    },
  });
}
