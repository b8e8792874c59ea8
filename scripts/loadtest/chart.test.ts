import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChartData, chartSvg, clock, escapeXml, niceTicks } from './chart.ts';

/**
 * wellFormed checks what an XML parser would: one root, every element closed in order,
 * attributes quoted, no raw `<` or `&` outside markup and entities. It returns the element
 * names in document order.
 */
function wellFormed(xml: string): string[] {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const names: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/gy;
  for (const match of body.matchAll(token)) {
    const [, closing, name, , selfClosing, text, stray] = match;
    if (stray)
      assert.fail(
        `a '<' that starts no tag at ${match.index}: ${body.slice(match.index!, match.index! + 40)}`,
      );
    if (text !== undefined) {
      if (stack.length === 0) assert.match(text, /^\s*$/, 'text outside the root');
      assert.doesNotMatch(text, /&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/, `a bare & in ${text}`);
      continue;
    }
    if (closing) {
      assert.equal(stack.pop(), name, `</${name}> closes the element opened last`);
      continue;
    }
    if (stack.length === 0) roots += 1;
    names.push(name!);
    if (!selfClosing) stack.push(name!);
  }
  assert.deepStrictEqual(stack, [], 'every element is closed');
  assert.equal(roots, 1, 'one root element');
  return names;
}

const data: ChartData = {
  title: 'Load test of http://127.0.0.1:3000/?a=<b>&c',
  subtitle: '7s, 428 requests',
  durationMs: 7000,
  bucketMs: 1000,
  throughput: [10, 40, 60, 90, 100, 80, 30],
  users: [2, 5, 10, 15, 20, 10, 0],
  p50: [5, 6, Number.NaN, 9, 12, 8, 4],
  p99: [20, 30, Number.NaN, 80, 120, 60, 15],
  stages: [
    { startMs: 0, label: '1: 0 → 5 users' },
    { startMs: 2000, label: '2: 5 → 20 users' },
    { startMs: 5000, label: '3: 20 → 0 users' },
  ],
  tasks: [
    { elapsedMs: 0, desired: 2, running: 2 },
    { elapsedMs: 3000, desired: 4, running: 2 },
    { elapsedMs: 5000, desired: 4, running: 4 },
  ],
  alarms: [{ elapsedMs: 3000, alarm: 'api-cpu-high', to: 'ALARM' }],
};

test('the chart is well-formed SVG with escaped text', () => {
  const svg = chartSvg(data);
  const names = wellFormed(svg);
  assert.equal(names[0], 'svg');
  assert.match(svg, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /http:\/\/127\.0\.0\.1:3000\/\?a=&#60;b&#62;&#38;c/, 'title escaped');
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
});

test('it has the three panels, their axes, the stage lines and every series', () => {
  const svg = chartSvg(data);
  const series = [...svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]);
  assert.deepStrictEqual(series, [
    'requests/s',
    'virtual users',
    'p50',
    'p99',
    'desired',
    'running',
  ]);
  const titles = [...svg.matchAll(/class="panel-title"[^>]*>([^<]+)</g)].map((m) => m[1]);
  assert.deepStrictEqual(titles, ['load', 'latency', 'ECS tasks']);
  assert.equal([...svg.matchAll(/class="axis y-axis"/g)].length, 4, 'load, users, latency, tasks');
  assert.equal([...svg.matchAll(/class="stage"/g)].length, 3);
  assert.match(svg, /<g class="axis x-axis">.*>0:00<.*>0:07</s, 'time axis from 0:00 to the end');
  assert.equal([...svg.matchAll(/class="alarm"/g)].length, 1);
  // the missing latency bucket breaks the line in two instead of drawing it at zero
  const p50 = /data-series="p50" d="([^"]+)"/.exec(svg)![1]!;
  assert.equal(p50.match(/M/g)!.length, 2);
});

test('without task counts the panel says why', () => {
  const { tasks: _tasks, ...withoutTasks } = data;
  const svg = chartSvg({ ...withoutTasks, tasksNote: 'task counts are sampled with --stack NAME' });
  wellFormed(svg);
  assert.match(svg, /class="note"[^>]*>task counts are sampled with --stack NAME</);
  assert.doesNotMatch(svg, /data-series="desired"/);
});

test('niceTicks, clock and escapeXml', () => {
  assert.deepStrictEqual(niceTicks(95), [0, 20, 40, 60, 80, 100]);
  assert.deepStrictEqual(niceTicks(4, 4), [0, 1, 2, 3, 4]);
  assert.deepStrictEqual(niceTicks(0.7), [0, 0.2, 0.4, 0.6, 0.8]);
  assert.deepStrictEqual(niceTicks(0), [0, 1]);
  assert.equal(clock(125_400), '2:05');
  assert.equal(escapeXml(`a<b>&"c'`), 'a&#60;b&#62;&#38;&#34;c&#39;');
});

test('the well-formedness check itself rejects broken XML', () => {
  const broken = [
    '<svg><g></svg>',
    '<svg>a < b</svg>',
    '<svg>a & b</svg>',
    '<svg x=1/>',
    '<svg/><svg/>',
  ];
  for (const xml of broken) assert.throws(() => wellFormed(xml), xml);
  assert.deepStrictEqual(wellFormed('<svg a="1"><g/>x &#38; y</svg>'), ['svg', 'g']);
});
