/**
 * The daemon's status page: plain HTML, CSS and JavaScript files in reconciler/daemon/page/,
 * served as they are (no build step). They are found beside this module when run from source,
 * and at reconciler/daemon/page/ from the repository root when run from dist/ (the container
 * image copies them there). Read once at start; every answer forbids scripts, styles and
 * connections to anywhere but this origin.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/** PAGE_DIR is the folder holding the page's files, or undefined when they are not deployed. */
export const PAGE_DIR = ['./page/', '../../../reconciler/daemon/page/']
  .map((dir) => fileURLToPath(new URL(dir, import.meta.url)))
  .find((dir) => existsSync(`${dir}index.html`));

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** PAGE_FILES maps each path the page is served at to its file and content type. */
const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
  '/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
};

interface LoadedFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** PageFiles serves the page; `missing` says why it cannot (the files are not deployed). */
export interface PageFiles {
  readonly missing: string | undefined;
  /** serve answers the request when its path is one of the page's files; false otherwise. */
  serve(request: IncomingMessage, path: string, response: ServerResponse): boolean;
}

/** loadPage reads the page's files from dir (PAGE_DIR for the deployed page) once; undefined serves none. */
export function loadPage(dir: string | undefined): PageFiles {
  const files = new Map<string, LoadedFile>();
  if (dir !== undefined) {
    for (const [path, { file, type }] of Object.entries(PAGE_FILES)) {
      const body = readFileSync(`${dir}${file}`);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      files.set(path, { body, type, etag });
    }
  }
  return {
    missing:
      dir === undefined ? 'the status page files (reconciler/daemon/page/) are missing' : undefined,
    serve(request, path, response) {
      const file = files.get(path === '/index.html' ? '/' : path);
      if (!file) return false;
      const headers = {
        'content-type': file.type,
        'cache-control': 'no-cache',
        etag: file.etag,
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      };
      if (request.headers['if-none-match'] === file.etag) {
        response.writeHead(304, headers);
        response.end();
        return true;
      }
      response.writeHead(200, { ...headers, 'content-length': file.body.length });
      response.end(request.method === 'HEAD' ? undefined : file.body);
      return true;
    },
  };
}
