import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { errorCode, isNotFound } from '../aws/errors.ts';
import { tagListToMap } from '../aws/tags.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import { type FieldChange, isUnknown } from '../plan/types.ts';
import {
  applyTagChanges,
  canonicalJson,
  changedFields,
  describeError,
  ignoreNotFound,
  ownerOf,
  paginate,
  releaseOwnership,
  sameValue,
  stackFilters,
  tagSpecifications,
} from './ec2-common.ts';
import type { FieldRule, ObservedResource, ResourceContext, ResourceHandler } from './types.ts';

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

const KIND = 'route-table';

/** normalizeRoutes drops empty targets and sorts routes by destination, so order never shows as drift. */
export function normalizeRoutes(routes: readonly Route[]): Route[] {
  return routes
    .map((route) => {
      const normalized: Route = { destinationCidrBlock: route.destinationCidrBlock };
      if (route.gatewayId) normalized.gatewayId = route.gatewayId;
      if (route.natGatewayId) normalized.natGatewayId = route.natGatewayId;
      return normalized;
    })
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
  for (const route of table.Routes ?? []) {
    if (!route.DestinationCidrBlock) continue;
    if (route.GatewayId === 'local' || route.Origin === 'CreateRouteTable') continue;
    if (route.Origin === 'EnableVgwRoutePropagation') continue;
    const converted: Route = { destinationCidrBlock: route.DestinationCidrBlock };
    if (route.GatewayId) converted.gatewayId = route.GatewayId;
    if (route.NatGatewayId) converted.natGatewayId = route.NatGatewayId;
    routes.push(converted);
  }
  return normalizeRoutes(routes);
}

function subnetAssociations(table: RouteTable): Array<{ subnetId: string; associationId: string }> {
  return (table.Associations ?? [])
    .filter(
      (association) =>
        !association.Main &&
        association.SubnetId &&
        association.RouteTableAssociationId &&
        association.AssociationState?.State !== 'disassociated' &&
        association.AssociationState?.State !== 'disassociating',
    )
    .map((association) => ({
      subnetId: association.SubnetId!,
      associationId: association.RouteTableAssociationId!,
    }));
}

function toObserved(
  ctx: ResourceContext,
  table: RouteTable,
): ObservedResource<RouteTableProperties> | undefined {
  const tags = tagListToMap(table.Tags);
  const owner = ownerOf(ctx, KIND, tags);
  if (!owner || !table.RouteTableId) return undefined;
  return {
    address: owner.address,
    kind: KIND,
    stack: owner.stack,
    id: table.RouteTableId,
    properties: {
      vpcId: table.VpcId ?? '',
      routes: routesFromAws(table),
      subnetIds: normalizeSubnetIds(subnetAssociations(table).map((found) => found.subnetId)),
    },
    tags,
    status: 'ready',
    attributes: { id: table.RouteTableId },
  };
}

function routeTarget(route: Route) {
  return route.natGatewayId ? { NatGatewayId: route.natGatewayId } : { GatewayId: route.gatewayId };
}

/** syncRoutes creates missing routes, replaces routes whose target changed and deletes extra ones. */
async function syncRoutes(
  ctx: ResourceContext,
  routeTableId: string,
  desiredRoutes: readonly Route[],
  observedRoutes: readonly Route[],
): Promise<void> {
  const observedByDestination = new Map(
    observedRoutes.map((route) => [route.destinationCidrBlock, route]),
  );
  const desiredDestinations = new Set(desiredRoutes.map((route) => route.destinationCidrBlock));
  for (const route of desiredRoutes) {
    const current = observedByDestination.get(route.destinationCidrBlock);
    const input = {
      RouteTableId: routeTableId,
      DestinationCidrBlock: route.destinationCidrBlock,
      ...routeTarget(route),
    };
    try {
      if (!current) await ctx.clients.ec2.send(new CreateRouteCommand(input));
      else if (!sameValue(current, route))
        await ctx.clients.ec2.send(new ReplaceRouteCommand(input));
    } catch (err) {
      throw describeError(
        `cannot set route ${route.destinationCidrBlock} in route table ${routeTableId}`,
        err,
      );
    }
  }
  for (const route of observedRoutes) {
    if (desiredDestinations.has(route.destinationCidrBlock)) continue;
    try {
      await ignoreNotFound(() =>
        ctx.clients.ec2.send(
          new DeleteRouteCommand({
            RouteTableId: routeTableId,
            DestinationCidrBlock: route.destinationCidrBlock,
          }),
        ),
      );
    } catch (err) {
      throw describeError(
        `cannot delete route ${route.destinationCidrBlock} from route table ${routeTableId}`,
        err,
      );
    }
  }
}

async function describeTable(
  ctx: ResourceContext,
  routeTableId: string,
): Promise<RouteTable | undefined> {
  try {
    const described = await ctx.clients.ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] }),
    );
    return described.RouteTables?.[0];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw describeError(`cannot describe route table ${routeTableId}`, err);
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
    if (errorCode(err) !== 'Resource.AlreadyAssociated') {
      throw describeError(
        `cannot associate subnet ${subnetId} with route table ${routeTableId}`,
        err,
      );
    }
  }
  try {
    const described = await ctx.clients.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }],
      }),
    );
    const existing = (described.RouteTables ?? [])
      .flatMap((table) => subnetAssociations(table))
      .find((association) => association.subnetId === subnetId);
    if (!existing) throw new Error(`no association of subnet ${subnetId} found`);
    await ctx.clients.ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: existing.associationId,
        RouteTableId: routeTableId,
      }),
    );
  } catch (err) {
    throw describeError(`cannot move subnet ${subnetId} to route table ${routeTableId}`, err);
  }
}

async function syncAssociations(
  ctx: ResourceContext,
  routeTableId: string,
  desiredSubnetIds: readonly string[],
): Promise<void> {
  const table = await describeTable(ctx, routeTableId);
  if (!table) throw new Error(`cannot update route table ${routeTableId}: it no longer exists`);
  const current = subnetAssociations(table);
  const currentSubnets = new Set(current.map((association) => association.subnetId));
  const wanted = new Set(desiredSubnetIds);
  for (const association of current) {
    if (wanted.has(association.subnetId)) continue;
    try {
      await ignoreNotFound(() =>
        ctx.clients.ec2.send(
          new DisassociateRouteTableCommand({ AssociationId: association.associationId }),
        ),
      );
    } catch (err) {
      throw describeError(
        `cannot disassociate subnet ${association.subnetId} from route table ${routeTableId}`,
        err,
      );
    }
  }
  for (const subnetId of desiredSubnetIds) {
    if (!currentSubnets.has(subnetId)) await associate(ctx, routeTableId, subnetId);
  }
}

/** routeTableHandler manages route tables, their routes and subnet associations. */
export const routeTableHandler: ResourceHandler<RouteTableProperties> = {
  kind: KIND,
  fields: ROUTE_TABLE_FIELDS,

  async observeAll(ctx) {
    if (ctx.stacks.length === 0) return [];
    const tables = await paginate(async (NextToken) => {
      const page = await ctx.clients.ec2.send(
        new DescribeRouteTablesCommand({ Filters: stackFilters(ctx), NextToken }),
      );
      return { items: page.RouteTables, nextToken: page.NextToken };
    });
    return tables.map((table) => toObserved(ctx, table)).filter((found) => found !== undefined);
  },

  diff(desired, observed, desiredTags, observedTags): FieldChange[] {
    return [
      ...diffProperties(
        normalizeRouteTable(desired),
        normalizeRouteTable(observed),
        ROUTE_TABLE_FIELDS,
      ),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired) {
    const properties = normalizeRouteTable(desired.properties);
    let routeTableId: string;
    try {
      const created = await ctx.clients.ec2.send(
        new CreateRouteTableCommand({
          VpcId: properties.vpcId,
          TagSpecifications: tagSpecifications('route-table', desired.tags),
        }),
      );
      routeTableId = created.RouteTable?.RouteTableId ?? '';
      if (!routeTableId) throw new Error('CreateRouteTable returned no RouteTableId');
    } catch (err) {
      throw describeError(`cannot create route table ${desired.address}`, err);
    }
    await syncRoutes(ctx, routeTableId, properties.routes, []);
    for (const subnetId of properties.subnetIds) await associate(ctx, routeTableId, subnetId);
    return {
      address: desired.address,
      kind: KIND,
      stack: desired.stack,
      id: routeTableId,
      properties,
      tags: { ...desired.tags },
      status: 'ready',
      attributes: { id: routeTableId },
    };
  },

  async update(ctx, desired, observed, changes) {
    const fields = changedFields(changes);
    const wanted = normalizeRouteTable(desired.properties);
    const properties = normalizeRouteTable(observed.properties);
    if (fields.has('routes')) {
      await syncRoutes(ctx, observed.id, wanted.routes, properties.routes);
      properties.routes = wanted.routes;
    }
    if (fields.has('subnetIds')) {
      await syncAssociations(ctx, observed.id, wanted.subnetIds);
      properties.subnetIds = wanted.subnetIds;
    }
    const tags = await applyTagChanges(ctx, observed.id, desired.tags, observed.tags, changes);
    return { ...observed, properties, tags };
  },

  async delete(ctx, observed, { deletionPolicy }) {
    if (deletionPolicy === 'retain') {
      await releaseOwnership(ctx, observed.id, observed.tags);
      return;
    }
    const table = await describeTable(ctx, observed.id);
    if (!table) return;
    try {
      for (const association of subnetAssociations(table)) {
        await ignoreNotFound(() =>
          ctx.clients.ec2.send(
            new DisassociateRouteTableCommand({ AssociationId: association.associationId }),
          ),
        );
      }
      await ignoreNotFound(() =>
        ctx.clients.ec2.send(new DeleteRouteTableCommand({ RouteTableId: observed.id })),
      );
    } catch (err) {
      throw describeError(`cannot delete route table ${observed.id}`, err);
    }
  },
};
