/**
 * The report as text: the stages table printed at the end of a run, and the Markdown summary
 * written beside the chart (stages, totals, the request mix, and with --stack the task counts,
 * scaling events and alarm transitions).
 */
import { clock } from './chart.ts';
import type { Report, Row } from './report.ts';
import type { StackState } from './stack-reader.ts';
import { formatDuration } from './stages.ts';
import { MIX } from './traffic.ts';

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : '-');

/** failuresText lists failures by status or error, `0` when there were none. */
export function failuresText(row: Row): string {
  return row.failures.length === 0
    ? '0'
    : row.failures.map(([what, count]) => `${what}×${count}`).join(', ');
}

function cells(row: Row): string[] {
  return [
    row.label,
    row.schedule,
    formatDuration(Math.round(row.durationMs / 100) * 100),
    String(row.peakUsers),
    String(row.requests),
    row.perSecond.toFixed(1),
    ms(row.p50),
    ms(row.p90),
    ms(row.p99),
    failuresText(row),
  ];
}

const HEADER = [
  'stage',
  'schedule',
  'duration',
  'peak users',
  'requests',
  'req/s',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'errors',
];

/** stagesTable is the terminal table: one line per stage and the total, columns aligned. */
export function stagesTable(report: Report): string {
  const lines = [HEADER, ...report.rows.map(cells), cells(report.total)];
  const widths = HEADER.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  const text = lines.map((line) =>
    line
      .map((cell, column) =>
        column <= 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  '),
  );
  text.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  text.splice(text.length - 1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return text.join('\n');
}

const markdownRow = (values: string[]) => `| ${values.join(' | ')} |`;

function stackSection(report: Report): string[] {
  const stack = report.stack;
  if (!stack) return [];
  const lines = [`## Stack ${stack.name}`, ''];
  lines.push(
    `Read every ${stack.everyMs / 1000} s through the AWS SDK: ${stack.readings} readings${stack.failedReadings > 0 ? `, ${stack.failedReadings} failed (last: ${stack.lastError})` : ''}.`,
    '',
  );
  if (stack.readings === 0) {
    lines.push('No reading succeeded: nothing is known of its services and alarms.', '');
    return lines;
  }
  if (stack.services.length === 0) {
    lines.push(
      `No ECS service found: no cluster is tagged \`reconciler:stack=${stack.name}\` as an ecs-cluster.`,
      '',
    );
  } else {
    lines.push(
      markdownRow(['ECS service', 'desired (min–max)', 'running (min–max)']),
      markdownRow(['---', '---', '---']),
    );
    for (const service of stack.services) {
      lines.push(markdownRow([service.name, service.desired.join('–'), service.running.join('–')]));
    }
    lines.push('');
  }
  lines.push('### Scaling events', '');
  if (stack.scaling.length === 0)
    lines.push('None: the task counts did not change during the run.');
  else {
    lines.push(
      markdownRow(['time', 'service', 'count', 'change']),
      markdownRow(['---', '---', '---', '---']),
    );
    for (const event of stack.scaling) {
      lines.push(
        markdownRow([
          clock(event.elapsedMs),
          event.service,
          event.count,
          `${event.from} → ${event.to}`,
        ]),
      );
    }
  }
  lines.push('', '### Alarms', '');
  const names = [...new Set(stack.alarms.map((event) => event.alarm))];
  if (names.length === 0) {
    lines.push(
      `No alarms found (none tagged \`reconciler:stack=${stack.name}\`, no target-tracking alarms of its services).`,
    );
  } else {
    lines.push(
      markdownRow(['alarm', 'at the start', 'at the end', 'transitions']),
      markdownRow(['---', '---', '---', '---:']),
    );
    for (const name of names) {
      const events = stack.alarms.filter((event) => event.alarm === name);
      lines.push(
        markdownRow([`\`${name}\``, events[0]!.to, events.at(-1)!.to, String(events.length - 1)]),
      );
    }
    const transitions = stack.alarms.filter((event) => event.from !== undefined);
    lines.push('', '### Alarm transitions', '');
    if (transitions.length === 0) lines.push('None: every alarm kept its state during the run.');
    else {
      lines.push(
        markdownRow(['time', 'alarm', 'state', 'reason']),
        markdownRow(['---', '---', '---', '---']),
      );
      for (const event of transitions) {
        lines.push(
          markdownRow([
            clock(event.elapsedMs),
            `\`${event.alarm}\``,
            `${event.from} → ${event.to}`,
            event.reason.replace(/\|/g, '\\|'),
          ]),
        );
      }
    }
  }
  lines.push('');
  return lines;
}

/** summaryMarkdown is the summary file; chartFile is the chart's name beside it. */
export function summaryMarkdown(report: Report, chartFile: string): string {
  const mix = MIX.map(([kind, weight]) => `${kind} ${weight}%`).join(', ');
  const lines = [
    `# Load test of ${report.url}`,
    '',
    '```sh',
    report.command,
    '```',
    '',
    `Started ${report.startedAt.toISOString()}, ran ${formatDuration(Math.round(report.durationMs / 100) * 100)}: ${report.total.requests} requests, ${report.total.perSecond.toFixed(1)} per second, ${report.total.errors} errors.`,
    ...(report.aborted ? ['', `**Stopped early:** ${report.aborted}.`] : []),
    '',
    'Users are virtual users: each holds one keep-alive connection and sends its next request as soon as the answer to the previous one arrives (a closed loop, no think time), so the request rate is what the service sustains for that many concurrent clients. ' +
      `Each request is chosen by weight: ${mix} (a page request follows the cursor of the user's previous page, up to five pages). ` +
      'Latencies are per answer; errors are answers other than 2xx and failed connections, by status or error.',
    '',
    `![Load, latency and ECS task count over time](${chartFile})`,
    '',
    '## Stages',
    '',
    markdownRow(HEADER),
    markdownRow(HEADER.map((_, column) => (column <= 1 ? '---' : '---:'))),
    ...report.rows.map((row) => markdownRow(cells(row))),
    markdownRow(cells(report.total).map((cell) => `**${cell}**`)),
    '',
    '## Requests by kind',
    '',
    markdownRow(['kind', 'requests', 'share']),
    markdownRow(['---', '---:', '---:']),
    ...report.byKind.map(([kind, count]) =>
      markdownRow([
        kind,
        String(count),
        `${((count / Math.max(1, report.total.requests)) * 100).toFixed(1)}%`,
      ]),
    ),
    '',
    ...stackSection(report),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}

/** stackLine is one reading in a few words: each service's counts and the alarms by state. */
export function stackLine(state: StackState): string {
  const services = state.services.map(
    (s) => `${s.name}: desired ${s.desired} running ${s.running}`,
  );
  const byState = new Map<string, number>();
  for (const alarm of state.alarms) byState.set(alarm.state, (byState.get(alarm.state) ?? 0) + 1);
  const alarms =
    state.alarms.length === 0
      ? 'no alarms'
      : `alarms ${[...byState].map(([s, n]) => `${n} ${s}`).join(', ')}`;
  return [...(services.length ? services : ['no ECS service']), alarms].join(' | ');
}
