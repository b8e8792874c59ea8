/**
 * The request mix of the load test: what a fleet of applications and a few people reading their
 * logs send to the log API. Each virtual user picks its next request by weight: a batch of
 * realistic events (several services, mostly info, a tail of warnings and errors, attributes,
 * trace ids shared by the lines of one request), a page of events (filtered, and the next pages
 * through the cursor of the previous answer), a full-text search, a stats query for a chart, or
 * the list of services.
 */

/** RequestKind names one kind of request in the mix. */
export type RequestKind = 'ingest' | 'page' | 'next-page' | 'search' | 'stats' | 'services';

/** LoadRequest is one HTTP request to send. */
export interface LoadRequest {
  kind: RequestKind;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * MIX is the weight of each choice (out of 100): writes dominate, as they do for a log service;
 * a 'page' choice follows the cursor of the user's previous page when it has one.
 */
export const MIX: ReadonlyArray<readonly [Exclude<RequestKind, 'next-page'>, number]> = [
  ['ingest', 45],
  ['page', 25],
  ['search', 15],
  ['stats', 10],
  ['services', 5],
];

/** MAX_PAGES_FOLLOWED: a reader looks at a few older pages, then starts a new query. */
const MAX_PAGES_FOLLOWED = 5;

const SERVICES = ['checkout', 'payments', 'web', 'search', 'inventory', 'auth', 'worker'];
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
/** LEVEL_WEIGHTS: the share of each level among ingested events (percent). */
const LEVEL_WEIGHTS = [2, 10, 70, 11, 6, 1];
const ROUTES = ['/api/orders/:id', '/api/cart', '/api/products', '/api/login', '/api/search'];
const REGIONS = ['us-west-2a', 'us-west-2b'];

type Random = () => number;

const pick = <T>(random: Random, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)]!;
const between = (random: Random, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));
const hex = (random: Random, digits: number) =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

/** weighted picks an index by weight. */
function weighted(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let left = random() * total;
  for (const [index, weight] of weights.entries()) {
    left -= weight;
    if (left < 0) return index;
  }
  return weights.length - 1;
}

/** message is a log line of the given level, as the services of a shop write them. */
function message(random: Random, level: (typeof LEVELS)[number], order: number, ms: number) {
  const user = between(random, 1000, 99_999);
  const lines: Record<(typeof LEVELS)[number], string[]> = {
    trace: [`entering handler for order ${order}`, `cache lookup product:${order % 500}`],
    debug: [`query products took ${ms} ms`, `retrying connection to redis (attempt ${ms % 5})`],
    info: [
      `GET /api/orders/${order} 200 in ${ms} ms`,
      `order ${order} placed by user ${user}`,
      `user ${user} signed in`,
      `cache hit for product ${order % 500}`,
      `POST /api/cart 201 in ${ms} ms`,
    ],
    warn: [
      `slow query on orders: ${ms} ms`,
      `payment provider latency high: ${ms} ms`,
      `queue depth ${ms * 10} above threshold`,
    ],
    error: [
      `payment timeout for order ${order} after ${ms} ms`,
      `card declined for order ${order}: insufficient_funds`,
      `upstream inventory returned 503 in ${ms} ms`,
    ],
    fatal: [`out of memory in worker ${ms % 8}, restarting`],
  };
  return pick(random, lines[level]);
}

/**
 * eventBatch is one POST /v1/logs body: `size` events of one service instance, timestamped over
 * the last two seconds, each with a unique idempotency key, four lines per trace.
 */
export function eventBatch(random: Random, idPrefix: string, size: number, now: number): string {
  const service = pick(random, SERVICES);
  const instance = `${service}-${hex(random, 6)}`;
  let traceId = hex(random, 32);
  const events = Array.from({ length: size }, (_, n) => {
    if (n % 4 === 0) traceId = hex(random, 32);
    const level = LEVELS[weighted(random, LEVEL_WEIGHTS)]!;
    const ms = between(random, 2, level === 'warn' || level === 'error' ? 5000 : 400);
    const order = between(random, 10_000, 99_999);
    return {
      id: `${idPrefix}-${n}`,
      timestamp: new Date(now - between(random, 0, 2000)).toISOString(),
      service,
      level,
      message: message(random, level, order, ms),
      attributes: {
        instance,
        route: pick(random, ROUTES),
        status: level === 'error' || level === 'fatal' ? 500 : 200,
        durationMs: ms,
        region: pick(random, REGIONS),
      },
      ...(random() < 0.6 ? { traceId, spanId: hex(random, 16) } : {}),
    };
  });
  return JSON.stringify(events);
}

const SEARCHES = [
  'payment timeout',
  '"card declined"',
  'slow query',
  'timeout -payment',
  'upstream or queue',
  'signed in',
  'out of memory',
];

/**
 * VirtualUser is one simulated client: it keeps the cursor of its last page so its next page
 * request continues that listing, as a person scrolling the log explorer does.
 */
export class VirtualUser {
  readonly #random: Random;
  readonly #id: string;
  #sequence = 0;
  #cursor: string | null = null;
  #pageQuery = '';
  #pagesFollowed = 0;
  /** last is the request most recently handed out (its answer comes back to onResponse). */
  last: LoadRequest | undefined;

  constructor(id: string, random: Random = Math.random) {
    this.#id = id;
    this.#random = random;
  }

  /** next is the user's next request. */
  next(now = Date.now()): LoadRequest {
    const random = this.#random;
    const kind =
      MIX[
        weighted(
          random,
          MIX.map(([, weight]) => weight),
        )
      ]![0];
    this.last = this.#build(kind, random, now);
    return this.last;
  }

  #build(kind: (typeof MIX)[number][0], random: Random, now: number): LoadRequest {
    switch (kind) {
      case 'ingest':
        this.#sequence += 1;
        return {
          kind,
          method: 'POST',
          path: '/v1/logs',
          headers: { 'content-type': 'application/json' },
          body: eventBatch(random, `${this.#id}-${this.#sequence}`, between(random, 20, 100), now),
        };
      case 'page': {
        if (this.#cursor && this.#pagesFollowed < MAX_PAGES_FOLLOWED) {
          this.#pagesFollowed += 1;
          const cursor = encodeURIComponent(this.#cursor);
          return {
            kind: 'next-page',
            method: 'GET',
            path: `/v1/logs?${this.#pageQuery}&cursor=${cursor}`,
          };
        }
        const filters = new URLSearchParams({ limit: '50' });
        if (random() < 0.6) filters.set('service', pick(random, SERVICES));
        if (random() < 0.4) filters.set('level', pick(random, ['warn', 'error']));
        if (random() < 0.5) filters.set('since', new Date(now - 3_600_000).toISOString());
        this.#pageQuery = filters.toString();
        this.#pagesFollowed = 0;
        return { kind, method: 'GET', path: `/v1/logs?${this.#pageQuery}` };
      }
      case 'search': {
        const query = new URLSearchParams({ q: pick(random, SEARCHES), limit: '20' });
        if (random() < 0.3) query.set('service', pick(random, SERVICES));
        return { kind, method: 'GET', path: `/v1/logs?${query}` };
      }
      case 'stats': {
        const hourly = random() < 0.3;
        const query = new URLSearchParams({
          bucket: hourly ? '1h' : '1m',
          since: new Date(now - (hourly ? 86_400_000 : 3_600_000)).toISOString(),
        });
        if (random() < 0.5) query.set('service', pick(random, SERVICES));
        return { kind, method: 'GET', path: `/v1/logs/stats?${query}` };
      }
      case 'services':
        return { kind, method: 'GET', path: '/v1/services' };
    }
  }

  /** onResponse reads the cursor of a page's answer, so the next page request follows it. */
  onResponse(status: number, body: string): void {
    const kind = this.last?.kind;
    if (kind !== 'page' && kind !== 'next-page') return;
    const match = status === 200 ? /"nextCursor":(?:null|"([^"]*)")/.exec(body) : null;
    this.#cursor = match?.[1] ?? null;
  }
}
