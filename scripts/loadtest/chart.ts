/**
 * chartSvg draws the run as one SVG file (no browser, no library): three panels over a shared
 * time axis, load (requests per second, and the virtual users on the right axis), latency (p50
 * and p99 per time bucket) and the ECS task count (desired and running, with alarm transitions
 * marked), with the stage boundaries across all three.
 */

/** ChartData is everything the chart shows; latencies are NaN for a bucket with no answer. */
export interface ChartData {
  title: string;
  subtitle: string;
  durationMs: number;
  bucketMs: number;
  throughput: number[];
  users: number[];
  p50: number[];
  p99: number[];
  stages: Array<{ startMs: number; label: string }>;
  /** tasks, summed over the stack's services; undefined without --stack. */
  tasks?: Array<{ elapsedMs: number; desired: number; running: number }>;
  alarms?: Array<{ elapsedMs: number; alarm: string; to: string }>;
  /** tasksNote replaces the task panel's content when there is nothing to draw. */
  tasksNote?: string;
}

const WIDTH = 960;
const LEFT = 70;
const RIGHT = 70;
const PANEL_HEIGHT = 170;
const PANEL_GAP = 46;
const TOP = 78;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const COLORS = {
  throughput: '#1f77b4',
  users: '#7f7f7f',
  p50: '#2ca02c',
  p99: '#d62728',
  desired: '#9467bd',
  running: '#ff7f0e',
  ALARM: '#d62728',
  OK: '#2ca02c',
  INSUFFICIENT_DATA: '#7f7f7f',
};

/** escapeXml makes text safe inside XML text and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** niceTicks is 0 and round steps (1, 2 or 5 times a power of ten) up to at least max. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let value = 0; value < max + step - 1e-9; value += step)
    ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

/** clock writes elapsed milliseconds as m:ss. */
export function clock(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Panel maps data to one panel's pixels. */
class Panel {
  constructor(
    readonly top: number,
    readonly durationMs: number,
    readonly yMax: number,
  ) {}
  x(ms: number): number {
    return round(
      LEFT + (Math.min(Math.max(ms, 0), this.durationMs) / this.durationMs) * PLOT_WIDTH,
    );
  }
  y(value: number, max = this.yMax): number {
    return round(this.top + PANEL_HEIGHT - (Math.min(value, max) / max) * PANEL_HEIGHT);
  }
}

/** linePath joins points into a path, broken where a value is missing (NaN). */
function linePath(panel: Panel, points: Array<[number, number]>, max?: number): string {
  let path = '';
  let drawing = false;
  for (const [ms, value] of points) {
    if (!Number.isFinite(value)) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${panel.x(ms)},${panel.y(value, max)}`;
    drawing = true;
  }
  return path;
}

/** stepPath holds each value until the next reading, as task counts behave. */
function stepPath(panel: Panel, points: Array<[number, number]>, endMs: number): string {
  let path = '';
  for (const [index, [ms, value]] of points.entries()) {
    const next = points[index + 1]?.[0] ?? endMs;
    path += `${index === 0 ? 'M' : 'L'}${panel.x(ms)},${panel.y(value)}H${panel.x(next)}`;
  }
  return path;
}

function series(d: string, color: string, name: string, dashed = false): string {
  if (d === '') return '';
  const dash = dashed ? ' stroke-dasharray="6 4"' : '';
  return `<path class="series" data-series="${escapeXml(name)}" d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`;
}

function yAxis(panel: Panel, ticks: number[], unit: string, side: 'left' | 'right'): string {
  const x = side === 'left' ? LEFT : LEFT + PLOT_WIDTH;
  const anchor = side === 'left' ? 'end' : 'start';
  const dx = side === 'left' ? -6 : 6;
  const max = ticks.at(-1)!;
  const parts = ticks.map((tick) => {
    const y = panel.y(tick, max);
    const grid =
      side === 'left'
        ? `<line x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT_WIDTH}" y2="${y}" stroke="#e5e5e5"/>`
        : '';
    return `${grid}<text x="${x + dx}" y="${y + 4}" text-anchor="${anchor}">${tick}</text>`;
  });
  const labelX = side === 'left' ? 16 : WIDTH - 16;
  const labelY = panel.top + PANEL_HEIGHT / 2;
  return `<g class="axis y-axis" data-side="${side}">${parts.join('')}<text x="${labelX}" y="${labelY}" text-anchor="middle" transform="rotate(-90 ${labelX} ${labelY})">${escapeXml(unit)}</text></g>`;
}

function xAxis(panel: Panel, durationMs: number): string {
  const stepMs = niceTicks(durationMs / 1000, 8)[1]! * 1000;
  const parts: string[] = [];
  for (let ms = 0; ms <= durationMs + 1; ms += stepMs) {
    const x = panel.x(ms);
    const y = panel.top + PANEL_HEIGHT;
    parts.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${y + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${y + 18}" text-anchor="middle">${clock(ms)}</text>`);
  }
  return `<g class="axis x-axis">${parts.join('')}</g>`;
}

function legend(top: number, entries: Array<[string, string, boolean?]>): string {
  let x = LEFT;
  const parts = entries.map(([label, color, dashed]) => {
    const dash = dashed ? ' stroke-dasharray="6 4"' : '';
    const item = `<line x1="${x}" y1="${top - 10}" x2="${x + 22}" y2="${top - 10}" stroke="${color}" stroke-width="2"${dash}/><text x="${x + 28}" y="${top - 6}">${escapeXml(label)}</text>`;
    x += 40 + label.length * 7;
    return item;
  });
  return `<g class="legend">${parts.join('')}</g>`;
}

function frame(panel: Panel, title: string): string {
  return `<rect x="${LEFT}" y="${panel.top}" width="${PLOT_WIDTH}" height="${PANEL_HEIGHT}" fill="none" stroke="#333"/><text class="panel-title" x="${LEFT + PLOT_WIDTH}" y="${panel.top - 6}" text-anchor="end" font-weight="bold">${escapeXml(title)}</text>`;
}

export function chartSvg(data: ChartData): string {
  const duration = Math.max(data.durationMs, 1);
  const at = (index: number) => Math.min((index + 0.5) * data.bucketMs, duration);
  const tops = [0, 1, 2].map((n) => TOP + n * (PANEL_HEIGHT + PANEL_GAP));
  const height = tops[2]! + PANEL_HEIGHT + 40;

  const loadTicks = niceTicks(Math.max(...data.throughput, 1));
  const userTicks = niceTicks(Math.max(...data.users, 1));
  const latencies = [...data.p50, ...data.p99].filter(Number.isFinite);
  const latencyTicks = niceTicks(Math.max(...latencies, 1));
  // one task of headroom, so a count at the top does not hide in the frame
  const taskMax = 1 + Math.max(0, ...(data.tasks ?? []).flatMap((t) => [t.desired, t.running]));
  const taskTicks = niceTicks(taskMax, Math.min(5, Math.ceil(taskMax)));
  const load = new Panel(tops[0]!, duration, loadTicks.at(-1)!);
  const latency = new Panel(tops[1]!, duration, latencyTicks.at(-1)!);
  const tasks = new Panel(tops[2]!, duration, taskTicks.at(-1)!);

  const body: string[] = [];
  body.push(
    `<text x="${LEFT}" y="26" font-size="16" font-weight="bold">${escapeXml(data.title)}</text>`,
    `<text x="${LEFT}" y="44" fill="#555">${escapeXml(data.subtitle)}</text>`,
  );
  // stage boundaries across the three panels, each labelled over the first
  for (const stage of data.stages) {
    const x = load.x(stage.startMs);
    body.push(
      `<g class="stage"><line x1="${x}" y1="${tops[0]! - 4}" x2="${x}" y2="${tops[2]! + PANEL_HEIGHT}" stroke="#bbb" stroke-dasharray="3 3"/><text x="${x + 4}" y="${tops[0]! + 12}" fill="#777">${escapeXml(stage.label)}</text></g>`,
    );
  }

  body.push(frame(load, 'load'), yAxis(load, loadTicks, 'requests/s', 'left'));
  body.push(
    yAxis(new Panel(tops[0]!, duration, userTicks.at(-1)!), userTicks, 'virtual users', 'right'),
  );
  body.push(
    legend(tops[0]!, [
      ['requests/s', COLORS.throughput],
      ['virtual users', COLORS.users, true],
    ]),
  );
  body.push(
    series(
      linePath(
        load,
        data.throughput.map((v, i) => [at(i), v]),
      ),
      COLORS.throughput,
      'requests/s',
    ),
  );
  body.push(
    series(
      // users[i] is the count at the end of bucket i
      linePath(
        load,
        [
          [0, 0],
          ...data.users.map((v, i): [number, number] => [
            Math.min((i + 1) * data.bucketMs, duration),
            v,
          ]),
        ],
        userTicks.at(-1),
      ),
      COLORS.users,
      'virtual users',
      true,
    ),
  );

  body.push(frame(latency, 'latency'), yAxis(latency, latencyTicks, 'ms', 'left'));
  body.push(
    legend(tops[1]!, [
      ['p50', COLORS.p50],
      ['p99', COLORS.p99],
    ]),
  );
  body.push(
    series(
      linePath(
        latency,
        data.p50.map((v, i) => [at(i), v]),
      ),
      COLORS.p50,
      'p50',
    ),
  );
  body.push(
    series(
      linePath(
        latency,
        data.p99.map((v, i) => [at(i), v]),
      ),
      COLORS.p99,
      'p99',
    ),
  );

  body.push(frame(tasks, 'ECS tasks'), yAxis(tasks, taskTicks, 'tasks', 'left'));
  if (data.tasks && data.tasks.length > 0) {
    body.push(
      legend(tops[2]!, [
        ['desired', COLORS.desired],
        ['running', COLORS.running, true],
      ]),
    );
    const points = (count: 'desired' | 'running') =>
      data.tasks!.map((t): [number, number] => [t.elapsedMs, t[count]]);
    body.push(series(stepPath(tasks, points('desired'), duration), COLORS.desired, 'desired'));
    body.push(
      series(stepPath(tasks, points('running'), duration), COLORS.running, 'running', true),
    );
  } else {
    body.push(
      `<text class="note" x="${LEFT + PLOT_WIDTH / 2}" y="${tops[2]! + PANEL_HEIGHT / 2}" text-anchor="middle" fill="#777">${escapeXml(data.tasksNote ?? 'no task counts')}</text>`,
    );
  }
  for (const alarm of data.alarms ?? []) {
    const x = tasks.x(alarm.elapsedMs);
    const color = COLORS[alarm.to as keyof typeof COLORS] ?? '#333';
    body.push(
      `<g class="alarm"><title>${escapeXml(`${clock(alarm.elapsedMs)} ${alarm.alarm}: ${alarm.to}`)}</title><line x1="${x}" y1="${tops[2]!}" x2="${x}" y2="${tops[2]! + PANEL_HEIGHT}" stroke="${color}" stroke-width="1.5"/><path d="M${x - 5},${tops[2]!}L${x + 5},${tops[2]!}L${x},${tops[2]! + 8}Z" fill="${color}"/></g>`,
    );
  }
  body.push(xAxis(tasks, duration));

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="chart-title">`,
    // the accessible name: what a screen reader or an image-less view says of the chart
    `<title id="chart-title">${escapeXml(`${data.title}: load, latency and ECS tasks over time`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...body.filter((part) => part !== ''),
    '</svg>',
    '',
  ].join('\n');
}
