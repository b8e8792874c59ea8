import {
  type DashboardEntry,
  DeleteDashboardsCommand,
  GetDashboardCommand,
  PutDashboardCommand,
  paginateListDashboards,
} from '@aws-sdk/client-cloudwatch';
import { TAG_STACK, type Tags, tagMapToList } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { canonicalJson } from './kit/json.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { readEach } from './kit/read-each.ts';
import { cloudwatchTagging, cloudwatchTags } from './kit/tagging/cloudwatch.ts';
import { type FieldRule, isRef, type ResourceContext } from './types.ts';

/** DashboardWidget is one widget of a dashboard body (CloudWatch's syntax; values may hold Refs). */
export type DashboardWidget = {
  type: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  properties: Record<string, unknown>;
  [key: string]: unknown;
};

/** DashboardBody is a dashboard's JSON body: its widgets and any dashboard-wide settings. */
export type DashboardBody = { widgets: DashboardWidget[]; [key: string]: unknown };

/** DashboardProperties is a CloudWatch dashboard: a name (global in the account) and its body. */
export type DashboardProperties = {
  name: string;
  body: DashboardBody;
};

/** DASHBOARD_FIELDS: the name is the identity; PutDashboard replaces the body in place. */
export const DASHBOARD_FIELDS: Record<string, FieldRule> = { name: 'replace', body: 'update' };

/** DASHBOARD_NOT_FOUND: GetDashboard and DeleteDashboards on a name that does not exist. */
const DASHBOARD_NOT_FOUND = ['ResourceNotFound', 'DashboardNotFoundError'];

/**
 * dashboardName is a stack's dashboard name. Dashboards are global to the account while stacks
 * are per region, so the region is part of it: `<stack>-<region>`.
 */
export function dashboardName(stack: string, region: string): string {
  return `${stack}-${region}`;
}

const POSITION = ['x', 'y', 'width', 'height'] as const;

/** isPlaced tells whether a widget gives its whole position: x, y, width and height. */
function isPlaced(widget: DashboardWidget): boolean {
  return POSITION.every((key) => typeof widget[key] === 'number');
}

/**
 * canonicalDashboardBody is the form two bodies compare in. CloudWatch lays widgets without a
 * position out in list order, so order is part of such a dashboard; when every widget has x, y,
 * width and height the order changes nothing on screen and the widgets are sorted.
 */
export function canonicalDashboardBody(body: DashboardBody): DashboardBody {
  const widgets = Array.isArray(body.widgets) ? body.widgets : [];
  if (widgets.length === 0 || !widgets.every(isPlaced)) return body;
  const keyed = widgets.map((widget) => ({ widget, key: canonicalJson(widget) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { ...body, widgets: keyed.map(({ widget }) => widget) };
}

/** sameDashboard tells whether two bodies show the same dashboard (see canonicalDashboardBody). */
export function sameDashboard(a: DashboardBody, b: DashboardBody): boolean {
  return canonicalJson(canonicalDashboardBody(a)) === canonicalJson(canonicalDashboardBody(b));
}

/** serializedBody is the DashboardBody text PutDashboard takes; a Ref left in it is a bug. */
function serializedBody(body: DashboardBody, what: string): string {
  return JSON.stringify(body, (_key, value: unknown) => {
    if (isRef(value))
      throw new Error(`${what} body holds an unresolved reference to ${value.$ref}`);
    return value;
  });
}

/** parsedBody reads GetDashboard's text; a body that is not JSON is kept as text (a diff). */
export function parsedBody(text: string | undefined): DashboardBody {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return { widgets: [], ...(parsed as Record<string, unknown>) } as DashboardBody;
    }
  } catch {
    // not JSON: fall through
  }
  return { widgets: [], unreadable: text ?? '' };
}

type LiveDashboard = { entry: DashboardEntry; tags: Tags; body?: DashboardBody };

function liveDashboard({
  entry,
  tags,
  body,
}: LiveDashboard): Live<DashboardProperties> | undefined {
  if (!body) return undefined;
  const name = entry.DashboardName ?? '';
  return {
    id: name,
    properties: { name, body },
    tags,
    attributes: { arn: entry.DashboardArn ?? '', name },
  };
}

/**
 * dashboardHandler manages a stack's CloudWatch dashboard. Dashboards take tags (PutDashboard on
 * create, TagResource after), so ownership is by tags like every kind. Observe is one
 * ListDashboards, then, for the names of this region's stacks only, a tag read and a
 * GetDashboard each (AWS has no batch form of either).
 */
export const dashboardHandler = defineKind<DashboardProperties, LiveDashboard>({
  kind: 'dashboard',
  // the console page a person opens
  outputs: (dashboard, region) => ({
    name: dashboard.id,
    url: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(dashboard.id)}`,
  }),
  fields: DASHBOARD_FIELDS,
  after: ['load-balancer', 'target-group', 'ecs-service', 'db-instance'],
  tagging: cloudwatchTagging,
  tagTarget: (dashboard) => dashboard.attributes.arn ?? '',
  notFound: DASHBOARD_NOT_FOUND,
  normalize: (properties) => ({ ...properties, body: canonicalDashboardBody(properties.body) }),
  iamActions: {
    read: [
      'cloudwatch:ListDashboards',
      'cloudwatch:ListTagsForResource',
      'cloudwatch:GetDashboard',
    ],
    write: ['cloudwatch:PutDashboard', 'cloudwatch:DeleteDashboards'],
    scope: {
      arn: 'arn:aws:cloudwatch::{account}:dashboard/*',
      create: ['cloudwatch:PutDashboard'],
    },
  },

  async list(ctx) {
    const names = new Set(ctx.stacks.map((stack) => dashboardName(stack, ctx.region)));
    const ours = (await listDashboards(ctx)).filter((entry) =>
      names.has(entry.DashboardName ?? ''),
    );
    return readEach(ours, DASHBOARD_NOT_FOUND, (entry) => readDashboard(ctx, entry));
  },

  toObserved: liveDashboard,

  async create(ctx, desired) {
    const { name, body } = desired.properties;
    await ctx.clients.cloudwatch.send(
      new PutDashboardCommand({
        DashboardName: name,
        DashboardBody: serializedBody(body, desired.address),
        Tags: tagMapToList(desired.tags),
      }),
    );
    const entry = (await listDashboards(ctx, name)).find((listed) => listed.DashboardName === name);
    const arn = entry?.DashboardArn ?? '';
    return { id: name, attributes: { arn, name } };
  },

  updaters: {
    body: async (ctx, desired) => {
      const { name, body } = desired.properties;
      await ctx.clients.cloudwatch.send(
        new PutDashboardCommand({
          DashboardName: name,
          DashboardBody: serializedBody(body, desired.address),
        }),
      );
    },
  },

  async destroy(ctx, observed) {
    await ctx.clients.cloudwatch.send(
      new DeleteDashboardsCommand({ DashboardNames: [observed.id] }),
    );
  },

  // PutDashboard overwrites a dashboard of the same name (and keeps its tags): one not ours
  // must be found first
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await listDashboards(ctx),
      nameOf: (entry) => entry.DashboardName,
      notFound: DASHBOARD_NOT_FOUND,
      read: (entry) => readDashboard(ctx, entry, true),
      toObserved: liveDashboard,
    }),
});

/** listDashboards lists the account's dashboards (whose names start with `prefix`). */
function listDashboards(ctx: ResourceContext, prefix?: string): Promise<DashboardEntry[]> {
  return collect(
    paginateListDashboards({ client: ctx.clients.cloudwatch }, { DashboardNamePrefix: prefix }),
    (page) => page.DashboardEntries,
  );
}

/**
 * readDashboard reads a listed dashboard's tags, and its body when the tags say it is a stack's
 * (or `always`, for the name look-up).
 */
async function readDashboard(
  ctx: ResourceContext,
  entry: DashboardEntry,
  always = false,
): Promise<LiveDashboard> {
  const tags = await cloudwatchTags(ctx, entry.DashboardArn ?? '');
  if (!always && !tags[TAG_STACK]) return { entry, tags };
  const got = await ctx.clients.cloudwatch.send(
    new GetDashboardCommand({ DashboardName: entry.DashboardName }),
  );
  return { entry, tags, body: parsedBody(got.DashboardBody) };
}
