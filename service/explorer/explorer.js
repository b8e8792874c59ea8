// The log explorer: a page over the service's own API (GET /v1/logs, /v1/logs/stats,
// /v1/services). No framework and no build step; every value from an event is written with
// textContent, never parsed as HTML. The filters live in the address bar, so a view can be
// shared and reloaded.

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const pageSize = 100;
const tailIntervalMs = 1000;
/** tailOverlapMs re-reads the last moments on each poll, for events that commit out of order. */
const tailOverlapMs = 5000;
const tailBatch = 200;
const maxBars = 120;
/** scrollAhead is how far below the window the next page starts loading, in pixels. */
const scrollAhead = 300;
const ranges = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};
const buckets = [
  ['1m', 60_000],
  ['1h', 3_600_000],
  ['1d', 86_400_000],
];
const svgNs = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);
const form = $('filters');
const fields = {
  q: $('q'),
  service: $('service'),
  level: $('level'),
  range: $('range'),
  since: $('since'),
  until: $('until'),
};
const list = $('events');
const statusLine = $('status');
const loadMoreButton = $('load-more');
const tailButton = $('tail');

const state = {
  filters: readLocation(),
  /** generation changes with every new query; answers to an older one are dropped. */
  generation: 0,
  controller: new AbortController(),
  nextCursor: null,
  loadingMore: false,
  shownIds: new Set(),
  /** newest is the timestamp of the newest event shown (live tail reads from it). */
  newest: null,
  /** pageRange is the [since, until) of the list, fixed when the query starts. */
  pageRange: { since: '', until: '' },
  tailing: false,
  tailTimer: undefined,
  tailPolls: 0,
  tailBusy: false,
  stats: null,
};

// ---- address bar --------------------------------------------------------------------------

function readLocation() {
  const params = new URLSearchParams(location.search);
  const range = params.get('range') ?? (params.has('since') ? 'custom' : '1h');
  return {
    q: params.get('q') ?? '',
    service: params.get('service') ?? '',
    level: levels.includes(params.get('level')) ? params.get('level') : '',
    range: range in ranges || range === 'custom' ? range : '1h',
    since: params.get('since') ?? '',
    until: params.get('until') ?? '',
    traceId: /^[0-9a-fA-F]{32}$/.test(params.get('traceId') ?? '') ? params.get('traceId') : '',
    tail: params.get('tail') === '1',
  };
}

function writeLocation() {
  const { q, service, level, range, since, until, traceId, tail } = state.filters;
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (service) params.set('service', service);
  if (level) params.set('level', level);
  if (range !== '1h') params.set('range', range);
  if (range === 'custom') {
    if (since) params.set('since', since);
    if (until) params.set('until', until);
  }
  if (traceId) params.set('traceId', traceId);
  if (tail) params.set('tail', '1');
  const search = params.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

// ---- time ---------------------------------------------------------------------------------

/** localInput formats an instant for a datetime-local input (local time, seconds). */
function localInput(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function fromLocalInput(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** timeRange is the [since, until) the filters select, as ISO strings. */
function timeRange() {
  const { range, since, until } = state.filters;
  if (range === 'custom') {
    const end = until || new Date().toISOString();
    const start = since || new Date(Date.parse(end) - ranges['1h']).toISOString();
    return { since: start, until: end };
  }
  const now = Date.now();
  return { since: new Date(now - ranges[range]).toISOString(), until: new Date(now).toISOString() };
}

/** bucketFor picks the finest bucket that draws at most maxBars bars over the range. */
function bucketFor(since, until) {
  const span = Date.parse(until) - Date.parse(since);
  for (const [name, width] of buckets) {
    if (span / width <= maxBars) return { name, width };
  }
  return { name: '1d', width: 86_400_000 };
}

const rowTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hourCycle: 'h23',
});
const axisTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const counts = new Intl.NumberFormat();

// ---- API ----------------------------------------------------------------------------------

async function getJson(path, signal) {
  const response = await fetch(path, { signal, headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return body;
}

function filterParams() {
  const { q, service, level, traceId } = state.filters;
  const params = new URLSearchParams();
  if (service) params.set('service', service);
  if (level) params.set('level', level);
  if (q.trim()) params.set('q', q.trim());
  if (traceId) params.set('traceId', traceId);
  return params;
}

// ---- events list --------------------------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** eventKey orders events as the API does: timestamp, then id, newest first. */
function compareEvents(a, b) {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? 1 : -1;
  if (a.id.length !== b.id.length) return a.id.length < b.id.length ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function eventItem(event) {
  const item = element('li', `event lvl-${event.level}`);
  item.dataset.id = event.id;
  item.dataset.timestamp = event.timestamp;
  const row = element('button', 'row');
  row.type = 'button';
  row.setAttribute('aria-expanded', 'false');
  const time = element('time', '', rowTime.format(new Date(event.timestamp)));
  time.dateTime = event.timestamp;
  row.append(
    time,
    element('span', 'level', event.level),
    element('span', 'service', event.service),
    element('span', 'message', event.message === '' ? '(empty message)' : event.message),
  );
  row.addEventListener('click', () => toggleDetails(item, event));
  item.append(row);
  return item;
}

function detailRow(dl, label, value) {
  dl.append(element('dt', '', label));
  const dd = element('dd');
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  dl.append(dd);
  return dd;
}

function jsonBlock(value) {
  return element('pre', '', JSON.stringify(value, null, 2));
}

function toggleDetails(item, event) {
  const row = item.querySelector('.row');
  const open = item.querySelector('.details');
  if (open) {
    open.remove();
    row.setAttribute('aria-expanded', 'false');
    return;
  }
  const details = element('div', 'details');
  details.id = `event-${event.id}`;
  row.setAttribute('aria-controls', details.id);
  const dl = element('dl');
  detailRow(dl, 'Time', event.timestamp);
  detailRow(dl, 'Service', event.service);
  detailRow(dl, 'Level', event.level);
  if (event.traceId) {
    const trace = detailRow(dl, 'Trace id', element('code', 'trace-id', event.traceId));
    if (event.traceId !== state.filters.traceId) {
      const button = element('button', 'show-trace', 'Show this trace');
      button.type = 'button';
      button.addEventListener('click', () => {
        state.filters.traceId = event.traceId;
        applyFilters();
      });
      trace.append(button);
    }
  } else {
    detailRow(dl, 'Trace id', '(none)');
  }
  if (event.spanId) detailRow(dl, 'Span id', element('code', '', event.spanId));
  detailRow(dl, 'Message', element('pre', '', event.message));
  detailRow(dl, 'Attributes', event.attributes ? jsonBlock(event.attributes) : '(none)');
  if (event.resource) detailRow(dl, 'Resource', jsonBlock(event.resource));
  if (event.scope) detailRow(dl, 'Scope', jsonBlock(event.scope));
  detailRow(
    dl,
    'Event id',
    event.clientId ? `${event.id} (client id ${event.clientId})` : event.id,
  );
  details.append(dl);
  item.append(details);
  row.setAttribute('aria-expanded', 'true');
}

function remember(event) {
  state.shownIds.add(event.id);
  if (state.newest === null || event.timestamp > state.newest) state.newest = event.timestamp;
}

function appendEvents(events) {
  const fragment = document.createDocumentFragment();
  for (const event of events) {
    if (state.shownIds.has(event.id)) continue;
    remember(event);
    fragment.append(eventItem(event));
  }
  list.append(fragment);
}

/** mergeNewer puts tailed events in their place (almost always the top), marked as new. */
function mergeNewer(events) {
  const fresh = events.filter((event) => !state.shownIds.has(event.id)).sort(compareEvents);
  let cursor = list.firstElementChild;
  for (const event of fresh) {
    while (
      cursor &&
      compareEvents(event, { timestamp: cursor.dataset.timestamp, id: cursor.dataset.id }) > 0
    ) {
      cursor = cursor.nextElementSibling;
    }
    remember(event);
    const item = eventItem(event);
    item.classList.add('new');
    list.insertBefore(item, cursor);
  }
  return fresh.length;
}

function setStatus(text) {
  statusLine.textContent = text;
}

function updateMore() {
  loadMoreButton.hidden = state.nextCursor === null;
  if (list.childElementCount === 0) setStatus('No events match these filters in this time range.');
  else if (state.nextCursor === null)
    setStatus(`${counts.format(list.childElementCount)} events, all shown.`);
  else setStatus(`${counts.format(list.childElementCount)} events shown; scroll for older ones.`);
}

async function loadFirstPage(generation, signal) {
  const params = filterParams();
  const { since, until } = timeRange();
  params.set('since', since);
  params.set('until', until);
  params.set('limit', String(pageSize));
  const page = await getJson(`v1/logs?${params}`, signal);
  if (generation !== state.generation) return;
  appendEvents(page.events);
  state.nextCursor = page.nextCursor;
  updateMore();
}

async function loadMore() {
  if (state.loadingMore || state.nextCursor === null) return;
  const generation = state.generation;
  state.loadingMore = true;
  setStatus('Loading older events…');
  try {
    const params = filterParams();
    const { since, until } = state.pageRange;
    params.set('since', since);
    params.set('until', until);
    params.set('limit', String(pageSize));
    params.set('cursor', state.nextCursor);
    const page = await getJson(`v1/logs?${params}`, state.controller.signal);
    if (generation !== state.generation) return;
    appendEvents(page.events);
    state.nextCursor = page.nextCursor;
    updateMore();
  } catch (err) {
    if (err.name !== 'AbortError') setStatus(`Could not load older events: ${err.message}`);
  } finally {
    state.loadingMore = false;
  }
  // a tall screen may still show the end of the list
  if (generation === state.generation && nearEnd()) void loadMore();
}

/** nearEnd tells whether the end of the list is on screen (or about to be). */
function nearEnd() {
  return $('more').getBoundingClientRect().top < window.innerHeight + scrollAhead;
}

// ---- histogram ----------------------------------------------------------------------------

function svgElement(tag, attributes) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function drawHistogram() {
  const svg = $('histogram');
  const bars = $('bars');
  const stats = state.stats;
  bars.replaceChildren();
  if (!stats) return;
  const width = Math.max(svg.clientWidth, 100);
  const height = Math.max(svg.clientHeight, 40);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const series = stats.buckets;
  const highest = Math.max(1, ...series.map((bucket) => bucket.total));
  const step = width / Math.max(series.length, 1);
  const gap = step > 4 ? 1 : 0;
  const shown = levels.filter(
    (level) => !state.filters.level || levels.indexOf(level) >= levels.indexOf(state.filters.level),
  );
  series.forEach((bucket, index) => {
    const bar = svgElement('g', { class: 'bar' });
    bar.dataset.start = bucket.start;
    const title = svgElement('title', {});
    const parts = shown
      .filter((level) => bucket.counts[level] > 0)
      .map((level) => `${bucket.counts[level]} ${level}`);
    title.textContent = `${axisTime.format(new Date(bucket.start))}: ${counts.format(bucket.total)} events${parts.length ? ` (${parts.join(', ')})` : ''}`;
    bar.append(title);
    // an invisible full-height rect makes the whole column a target
    bar.append(
      svgElement('rect', { x: index * step, y: 0, width: step, height, fill: 'transparent' }),
    );
    let top = height;
    for (const level of shown) {
      const count = bucket.counts[level] ?? 0;
      if (count === 0) continue;
      const barHeight = Math.max(1, (count / highest) * (height - 2));
      top -= barHeight;
      bar.append(
        svgElement('rect', {
          class: `lvl-${level}`,
          x: index * step + gap / 2,
          y: top,
          width: Math.max(step - gap, 0.5),
          height: barHeight,
        }),
      );
    }
    bar.addEventListener('click', () => zoomTo(bucket.start));
    bars.append(bar);
  });
}

function zoomTo(start) {
  const width = buckets.find(([name]) => name === state.stats?.bucket)?.[1];
  if (!width) return;
  state.filters.range = 'custom';
  state.filters.since = new Date(start).toISOString();
  state.filters.until = new Date(Date.parse(start) + width).toISOString();
  showFilters();
  applyFilters();
}

async function loadStats(generation, signal) {
  const params = filterParams();
  const { since, until } = state.tailing ? timeRange() : state.pageRange;
  const bucket = bucketFor(since, until);
  params.set('since', since);
  params.set('until', until);
  params.set('bucket', bucket.name);
  const stats = await getJson(`v1/logs/stats?${params}`, signal);
  if (generation !== state.generation) return;
  state.stats = stats;
  const total = stats.buckets.reduce((sum, item) => sum + item.total, 0);
  $('chart-summary').textContent =
    `${counts.format(total)} events from ${axisTime.format(new Date(since))} to ${axisTime.format(new Date(until))}, ${stats.buckets.length} bars of ${bucket.name}`;
  $('axis-start').textContent = axisTime.format(new Date(since));
  $('axis-end').textContent = axisTime.format(new Date(until));
  drawHistogram();
}

// ---- live tail ----------------------------------------------------------------------------

async function pollTail() {
  if (state.tailBusy || document.hidden) return;
  state.tailBusy = true;
  const generation = state.generation;
  try {
    const params = filterParams();
    const from = state.newest ?? timeRange().since;
    params.set('since', new Date(Date.parse(from) - tailOverlapMs).toISOString());
    params.set('limit', String(tailBatch));
    const page = await getJson(`v1/logs?${params}`, state.controller.signal);
    if (generation !== state.generation) return;
    const added = mergeNewer(page.events);
    if (added > 0) updateMore();
    state.tailPolls += 1;
    if (state.tailPolls % 5 === 0) await loadStats(generation, state.controller.signal);
  } catch (err) {
    if (err.name !== 'AbortError') setStatus(`Live tail paused: ${err.message}`);
  } finally {
    state.tailBusy = false;
  }
}

function setTail(on) {
  state.filters.tail = on;
  state.tailing = on;
  tailButton.setAttribute('aria-pressed', String(on));
  clearInterval(state.tailTimer);
  state.tailTimer = on ? setInterval(pollTail, tailIntervalMs) : undefined;
  writeLocation();
}

// ---- filters ------------------------------------------------------------------------------

function showFilters() {
  const { q, service, level, range, traceId } = state.filters;
  fields.q.value = q;
  if (service && ![...fields.service.options].some((option) => option.value === service)) {
    fields.service.append(new Option(service, service));
  }
  fields.service.value = service;
  fields.level.value = level;
  fields.range.value = range;
  $('custom-range').hidden = range !== 'custom';
  if (range === 'custom') {
    const current = timeRange();
    fields.since.value = localInput(current.since);
    fields.until.value = localInput(current.until);
  }
  $('trace-filter').hidden = !traceId;
  $('trace-id').textContent = traceId;
}

function readFilters() {
  const range = fields.range.value;
  state.filters.q = fields.q.value;
  state.filters.service = fields.service.value;
  state.filters.level = fields.level.value;
  state.filters.range = range;
  // the inputs hold the custom range only once they are shown
  if (range === 'custom' && !$('custom-range').hidden) {
    state.filters.since = fromLocalInput(fields.since.value);
    state.filters.until = fromLocalInput(fields.until.value);
  }
}

/** applyFilters starts a new query: the list, the chart and the tail all start over. */
function applyFilters() {
  state.controller.abort();
  state.controller = new AbortController();
  state.generation += 1;
  state.nextCursor = null;
  state.shownIds.clear();
  state.newest = null;
  state.pageRange = timeRange();
  list.replaceChildren();
  loadMoreButton.hidden = true;
  setStatus('Loading…');
  showFilters();
  writeLocation();
  const { generation } = state;
  const { signal } = state.controller;
  Promise.all([loadFirstPage(generation, signal), loadStats(generation, signal)]).catch((err) => {
    if (err.name !== 'AbortError' && generation === state.generation) {
      setStatus(`Could not load events: ${err.message}`);
    }
  });
}

async function loadServices() {
  try {
    const { services } = await getJson('v1/services');
    const selected = state.filters.service;
    for (const service of services) {
      if (service !== selected) fields.service.append(new Option(service, service));
    }
    fields.service.value = selected;
  } catch {
    // the filter still works with the services seen in the address bar
  }
}

// ---- wiring -------------------------------------------------------------------------------

form.addEventListener('submit', (event) => {
  event.preventDefault();
  readFilters();
  applyFilters();
});
for (const select of [fields.service, fields.level, fields.range]) {
  select.addEventListener('change', () => {
    if (select === fields.range && select.value === 'custom') {
      const current = timeRange();
      state.filters.since = current.since;
      state.filters.until = current.until;
    }
    readFilters();
    applyFilters();
  });
}
for (const input of [fields.since, fields.until]) {
  input.addEventListener('change', () => {
    readFilters();
    applyFilters();
  });
}
$('clear-trace').addEventListener('click', () => {
  state.filters.traceId = '';
  applyFilters();
});
tailButton.addEventListener('click', () => {
  const on = !state.tailing;
  setTail(on);
  if (on) void pollTail();
});
loadMoreButton.addEventListener('click', () => void loadMore());

new IntersectionObserver(
  (entries) => {
    if (entries.some((entry) => entry.isIntersecting)) void loadMore();
  },
  { rootMargin: `0px 0px ${scrollAhead}px 0px` },
).observe($('more'));

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.tailing) void pollTail();
});

let resizeFrame = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(drawHistogram);
}).observe($('histogram-frame'));

document.addEventListener('keydown', (event) => {
  const target = event.target;
  const typing =
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement;
  if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    fields.q.focus();
    fields.q.select();
    return;
  }
  if (event.key === 'Escape') {
    const item = target instanceof Element ? target.closest('.event') : null;
    if (item?.querySelector('.details')) {
      item.querySelector('.row').click();
      item.querySelector('.row').focus();
    } else if (typing) {
      target.blur();
    }
    return;
  }
  if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && !typing) {
    const rows = [...list.querySelectorAll('.row')];
    if (rows.length === 0) return;
    const current =
      target instanceof Element ? target.closest('.event')?.querySelector('.row') : null;
    const index = current ? rows.indexOf(current) : -1;
    const next =
      event.key === 'ArrowDown' ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
    event.preventDefault();
    rows[next].focus();
    if (next === rows.length - 1) void loadMore();
  }
});

const legend = $('legend');
for (const level of levels) legend.append(element('li', `lvl-${level}`, level));

showFilters();
void loadServices();
applyFilters();
if (state.filters.tail) setTail(true);
