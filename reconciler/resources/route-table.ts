import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  paginateDescribeRouteTables,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { errorCode } from '../aws/errors.ts';
import { tagListToMap } from '../aws/tags.ts';
import { isUnknown } from '../plan/types.ts';
import { defineKind } from './kit/define-kind.ts';
import { required, unlessGone, unlessPresent } from './kit/errors.ts';
import { canonicalJson, compact } from './kit/json.ts';
import { keyedDelta } from './kit/keyed-delta.ts';
import { collect } from './kit/paginate.ts';
import { step } from './kit/step.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule, ResourceContext } from './types.ts';

/** Route is one route of a table: a destination and exactly one target. */
export type Route = {
  destinationCidrBlock: string;
  gatewayId?: string;
  natGatewayId?: string;
};

/**
 * RouteTableProperties: the VPC, the routes (sorted by destination, without the VPC-local
 * route AWS adds) and the subnets explicitly associated with the table (sorted).
 */
export type RouteTableProperties = {
  vpcId: string;
  routes: Route[];
  subnetIds: string[];
};

/** ROUTE_TABLE_FIELDS: routes and associations change in place; the VPC does not. */
export const ROUTE_TABLE_FIELDS: Record<keyof RouteTableProperties, FieldRule> = {
  vpcId: 'replace',
  routes: 'update',
  subnetIds: 'update',
};

/** PART_GONE: a route or an association that is already gone needs no delete. */
const PART_GONE = ['InvalidRoute.NotFound', 'InvalidAssociationID.NotFound'];

/** routeTableHandler manages route tables, their routes and subnet associations. */
export const routeTableHandler = defineKind<RouteTableProperties, RouteTable>({
  kind: 'route-table',
  fields: ROUTE_TABLE_FIELDS,
  after: ['vpc', 'subnet', 'internet-gateway', 'nat-gateway'],
  tagging: ec2Tagging,
  notFound: ['InvalidRouteTableID.NotFound'],
  iamActions: {
    read: ['ec2:DescribeRouteTables'],
    write: [
      'ec2:CreateRouteTable',
      'ec2:CreateRoute',
      'ec2:ReplaceRoute',
      'ec2:DeleteRoute',
      'ec2:AssociateRouteTable',
      'ec2:ReplaceRouteTableAssociation',
      'ec2:DisassociateRouteTable',
      'ec2:DeleteRouteTable',
    ],
    scope: {
      arn: 'arn:aws:ec2:*:{account}:route-table/*',
      create: ['ec2:CreateRouteTable'],
      byArn: ['ec2:DisassociateRouteTable'],
    },
  },

  list: (ctx) =>
    collect(
      paginateDescribeRouteTables({ client: ctx.clients.ec2 }, { Filters: stackFilters(ctx) }),
      (page) => page.RouteTables,
    ),

  toObserved: (table) => ({
    id: table.RouteTableId ?? '',
    properties: {
      vpcId: table.VpcId ?? '',
      routes: routesFromAws(table),
      subnetIds: normalizeSubnetIds(subnetAssociations(table).map((found) => found.subnetId)),
    },
    tags: tagListToMap(table.Tags),
  }),

  normalize: normalizeRouteTable,

  async create(ctx, desired) {
    const properties = normalizeRouteTable(desired.properties);
    const created = await ctx.clients.ec2.send(
      new CreateRouteTableCommand({
        VpcId: properties.vpcId,
        TagSpecifications: tagSpecifications('route-table', desired.tags),
      }),
    );
    const id = required(created.RouteTable?.RouteTableId, 'CreateRouteTable returned no id');
    await syncRoutes(ctx, id, properties.routes, []);
    for (const subnetId of properties.subnetIds) await associate(ctx, id, subnetId);
    return { id, properties };
  },

  updaters: {
    routes: (ctx, desired, observed) =>
      syncRoutes(
        ctx,
        observed.id,
        normalizeRoutes(desired.properties.routes),
        normalizeRoutes(observed.properties.routes),
      ),
    async subnetIds(ctx, desired, observed) {
      const associations = subnetAssociations(await describeTable(ctx, observed.id));
      const { add, remove } = keyedDelta(desired.properties.subnetIds, associations, {
        liveKey: (association) => association.subnetId,
        same: () => true,
      });
      for (const { associationId } of remove) await disassociate(ctx, associationId);
      for (const subnetId of add) await associate(ctx, observed.id, subnetId);
    },
  },

  async destroy(ctx, observed) {
    for (const { associationId } of subnetAssociations(await describeTable(ctx, observed.id))) {
      await disassociate(ctx, associationId);
    }
    await ctx.clients.ec2.send(new DeleteRouteTableCommand({ RouteTableId: observed.id }));
  },
});

/** normalizeRoutes drops empty targets and sorts routes by destination, so order never shows as drift. */
export function normalizeRoutes(routes: readonly Route[]): Route[] {
  return routes
    .map(({ destinationCidrBlock, gatewayId, natGatewayId }) =>
      compact({
        destinationCidrBlock,
        gatewayId: gatewayId || undefined,
        natGatewayId: natGatewayId || undefined,
      }),
    )
    .sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
}

/** normalizeSubnetIds sorts and de-duplicates associated subnet ids. */
export function normalizeSubnetIds(subnetIds: readonly string[]): string[] {
  // Ids not known yet (planned before the subnet exists) are never merged.
  const unique = new Map(
    subnetIds.map((subnetId, index) => [
      isUnknown(subnetId) ? `~unknown ${index}` : canonicalJson(subnetId),
      subnetId,
    ]),
  );
  return [...unique.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, id]) => id);
}

/** normalizeRouteTable puts route table properties in their canonical form. */
export function normalizeRouteTable(properties: RouteTableProperties): RouteTableProperties {
  return {
    vpcId: properties.vpcId,
    routes: normalizeRoutes(properties.routes ?? []),
    subnetIds: normalizeSubnetIds(properties.subnetIds ?? []),
  };
}

/**
 * routesFromAws converts AWS routes, leaving out the VPC-local route (target `local`),
 * propagated routes and routes without an IPv4 destination: AWS manages those.
 */
export function routesFromAws(table: RouteTable): Route[] {
  const routes: Route[] = [];
  for (const { DestinationCidrBlock, GatewayId, NatGatewayId, Origin } of table.Routes ?? []) {
    if (!DestinationCidrBlock || GatewayId === 'local' || Origin === 'CreateRouteTable') continue;
    if (Origin === 'EnableVgwRoutePropagation') continue;
    routes.push({
      destinationCidrBlock: DestinationCidrBlock,
      gatewayId: GatewayId,
      natGatewayId: NatGatewayId,
    });
  }
  return normalizeRoutes(routes);
}

/** subnetAssociations are the table's explicit subnet associations that are not going away. */
function subnetAssociations(table: RouteTable | undefined) {
  return (table?.Associations ?? []).flatMap(
    ({ Main, SubnetId, RouteTableAssociationId, ...rest }) => {
      const state = rest.AssociationState?.State;
      if (Main || !SubnetId || !RouteTableAssociationId) return [];
      if (state === 'disassociated' || state === 'disassociating') return [];
      return [{ subnetId: SubnetId, associationId: RouteTableAssociationId }];
    },
  );
}

/** describeTable reads one table again, for fresh association ids (a gone table is InvalidRouteTableID.NotFound). */
async function describeTable(ctx: ResourceContext, routeTableId: string) {
  const described = await ctx.clients.ec2.send(
    new DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] }),
  );
  return described.RouteTables?.[0];
}

/** syncRoutes creates missing routes, replaces routes whose target changed and deletes extra ones. */
async function syncRoutes(
  ctx: ResourceContext,
  RouteTableId: string,
  desiredRoutes: readonly Route[],
  observedRoutes: readonly Route[],
): Promise<void> {
  const { add, change, remove } = keyedDelta(desiredRoutes, observedRoutes, {
    key: (route) => route.destinationCidrBlock,
  });
  const input = ({ destinationCidrBlock, natGatewayId, gatewayId }: Route) => ({
    RouteTableId,
    DestinationCidrBlock: destinationCidrBlock,
    ...(natGatewayId ? { NatGatewayId: natGatewayId } : { GatewayId: gatewayId }),
  });
  for (const route of add) {
    const creating = new CreateRouteCommand(input(route));
    await unlessPresent(['RouteAlreadyExists'], () => ctx.clients.ec2.send(creating));
  }
  for (const { desired } of change)
    await ctx.clients.ec2.send(new ReplaceRouteCommand(input(desired)));
  for (const { destinationCidrBlock: DestinationCidrBlock } of remove) {
    const deleting = new DeleteRouteCommand({ RouteTableId, DestinationCidrBlock });
    await unlessGone(PART_GONE, () => ctx.clients.ec2.send(deleting));
  }
}

/**
 * associate associates a subnet with the table; a subnet explicitly associated with another
 * table is moved over with ReplaceRouteTableAssociation.
 */
async function associate(ctx: ResourceContext, routeTableId: string, subnetId: string) {
  try {
    await ctx.clients.ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }),
    );
    return;
  } catch (err) {
    if (errorCode(err) !== 'Resource.AlreadyAssociated') throw err;
  }
  const described = await ctx.clients.ec2.send(
    new DescribeRouteTablesCommand({
      Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }],
    }),
  );
  const holder = (described.RouteTables ?? []).find((table) =>
    subnetAssociations(table).some((association) => association.subnetId === subnetId),
  );
  const existing = subnetAssociations(holder).find(
    (association) => association.subnetId === subnetId,
  );
  if (!existing) throw new Error(`cannot move subnet ${subnetId}: no association of it found`);
  // a retry of this very association whose response was lost
  if (holder?.RouteTableId === routeTableId) return;
  await step(`cannot move subnet ${subnetId} to route table ${routeTableId}`, () =>
    ctx.clients.ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: existing.associationId,
        RouteTableId: routeTableId,
      }),
    ),
  );
}

function disassociate(ctx: ResourceContext, AssociationId: string) {
  const disassociating = new DisassociateRouteTableCommand({ AssociationId });
  return unlessGone(PART_GONE, () => ctx.clients.ec2.send(disassociating));
}
