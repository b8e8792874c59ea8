import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalDashboardBody,
  type DashboardBody,
  type DashboardWidget,
  dashboardHandler,
  parsedBody,
  sameDashboard,
} from './dashboard.ts';

const at = (x: number, y: number): Pick<DashboardWidget, 'x' | 'y' | 'width' | 'height'> => ({
  x,
  y,
  width: 12,
  height: 6,
});
const text = (markdown: string, position = {}): DashboardWidget => ({
  type: 'text',
  ...position,
  properties: { markdown },
});

test('sameDashboard: order matters exactly when a widget has no full position', () => {
  const cases: Array<{ reason: string; a: DashboardBody; b: DashboardBody; same: boolean }> = [
    {
      reason: 'placed widgets in another order are the same dashboard',
      a: { widgets: [text('a', at(0, 0)), text('b', at(12, 0))] },
      b: { widgets: [text('b', at(12, 0)), text('a', at(0, 0))] },
      same: true,
    },
    {
      reason: 'widgets without positions flow in order: reordered is another dashboard',
      a: { widgets: [text('a'), text('b')] },
      b: { widgets: [text('b'), text('a')] },
      same: false,
    },
    {
      reason: 'one widget without a position makes the whole order count',
      a: { widgets: [text('a', at(0, 0)), text('b')] },
      b: { widgets: [text('b'), text('a', at(0, 0))] },
      same: false,
    },
    {
      reason: 'x and y without width and height is not a full position',
      a: { widgets: [text('a', { x: 0, y: 0 }), text('b', { x: 12, y: 0 })] },
      b: { widgets: [text('b', { x: 12, y: 0 }), text('a', { x: 0, y: 0 })] },
      same: false,
    },
    {
      reason: 'key order inside a widget does not matter',
      a: { widgets: [{ properties: { markdown: 'a' }, type: 'text' }] },
      b: { widgets: [text('a')] },
      same: true,
    },
    {
      reason: 'a moved placed widget is another dashboard',
      a: { widgets: [text('a', at(0, 0)), text('b', at(12, 0))] },
      b: { widgets: [text('a', at(0, 6)), text('b', at(12, 0))] },
      same: false,
    },
    {
      reason: 'dashboard-wide settings count',
      a: { widgets: [], start: '-PT3H' },
      b: { widgets: [] },
      same: false,
    },
  ];
  for (const { reason, a, b, same } of cases) assert.equal(sameDashboard(a, b), same, reason);
});

test('canonicalDashboardBody leaves a flowing layout in its order', () => {
  const body = { widgets: [text('b'), text('a')] };
  assert.deepStrictEqual(canonicalDashboardBody(body), body);
});

test('parsedBody reads the GetDashboard text, and keeps text that is not JSON as a difference', () => {
  assert.deepStrictEqual(parsedBody('{"widgets":[{"type":"text","properties":{}}]}'), {
    widgets: [{ type: 'text', properties: {} }],
  });
  assert.deepStrictEqual(parsedBody('{"start":"-PT1H"}'), { widgets: [], start: '-PT1H' });
  assert.deepStrictEqual(parsedBody('not json'), { widgets: [], unreadable: 'not json' });
});

test('dashboard diff: reordered placed widgets are no change, a flowing reorder is a body change', () => {
  const tags = { 'reconciler:stack': 'app' };
  const placed = [text('a', at(0, 0)), text('b', at(12, 0))];
  const none = dashboardHandler.diff(
    { name: 'app-us-west-2', body: { widgets: placed } },
    { name: 'app-us-west-2', body: { widgets: [...placed].reverse() } },
    tags,
    tags,
  );
  assert.deepStrictEqual(none, []);
  const flowing = [text('a'), text('b')];
  const changes = dashboardHandler.diff(
    { name: 'app-us-west-2', body: { widgets: flowing } },
    { name: 'app-us-west-2', body: { widgets: [...flowing].reverse() } },
    tags,
    tags,
  );
  assert.deepStrictEqual(
    changes.map((change) => [change.path, change.forcesReplacement]),
    [
      ['body.widgets[0].properties.markdown', false],
      ['body.widgets[1].properties.markdown', false],
    ],
  );
});
