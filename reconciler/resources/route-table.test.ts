import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteTable } from '@aws-sdk/client-ec2';
import { UNKNOWN } from '../plan/types.ts';
import {
  normalizeSubnetIds,
  type Route,
  type RouteTableProperties,
  routesFromAws,
  routeTableHandler,
} from './route-table.ts';

const base: RouteTableProperties = {
  vpcId: 'vpc-1',
  routes: [
    { destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-1' },
    { destinationCidrBlock: '10.9.0.0/16', natGatewayId: 'nat-1' },
  ],
  subnetIds: ['subnet-a', 'subnet-b'],
};
const tags = { 'reconciler:stack': 's' };

const diffCases: Array<{
  reason: string;
  observed: RouteTableProperties;
  want: Array<[path: string, forcesReplacement: boolean]>;
}> = [
  { reason: 'identical: no change', observed: base, want: [] },
  {
    reason: 'route and association order does not matter',
    observed: {
      ...base,
      routes: [...base.routes].reverse(),
      subnetIds: ['subnet-b', 'subnet-a'],
    },
    want: [],
  },
  {
    reason: 'another vpc forces replacement',
    observed: { ...base, vpcId: 'vpc-2' },
    want: [['vpcId', true]],
  },
  {
    reason: 'a deleted route is an in-place update',
    observed: { ...base, routes: base.routes.slice(1) },
    want: [
      ['routes[0].destinationCidrBlock', false],
      ['routes[0].gatewayId', false],
      ['routes[0].natGatewayId', false],
      ['routes[1]', false],
    ],
  },
  {
    reason: 'a route to another target is an in-place update',
    observed: {
      ...base,
      routes: [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-2' }, base.routes[1]!],
    },
    want: [['routes[0].gatewayId', false]],
  },
  {
    reason: 'a missing association is an in-place update',
    observed: { ...base, subnetIds: ['subnet-a'] },
    want: [['subnetIds[1]', false]],
  },
];

for (const { reason, observed, want } of diffCases) {
  test(`route table diff: ${reason}`, () => {
    const changes = routeTableHandler.diff(base, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      want,
    );
  });
}

const awsCases: Array<{ reason: string; table: RouteTable; want: Route[] }> = [
  {
    reason: 'the vpc-local route is dropped',
    table: {
      Routes: [
        { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable' },
        { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', Origin: 'CreateRoute' },
      ],
    },
    want: [{ destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1' }],
  },
  {
    reason: 'propagated and ipv6-only routes are dropped, the rest sorted',
    table: {
      Routes: [
        {
          DestinationCidrBlock: '172.16.0.0/12',
          GatewayId: 'vgw-1',
          Origin: 'EnableVgwRoutePropagation',
        },
        { DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-1', Origin: 'CreateRoute' },
        { DestinationCidrBlock: '10.8.0.0/16', GatewayId: 'igw-1', Origin: 'CreateRoute' },
        { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', Origin: 'CreateRoute' },
      ],
    },
    want: [
      { destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-1' },
      { destinationCidrBlock: '10.8.0.0/16', gatewayId: 'igw-1' },
    ],
  },
];

for (const { reason, table, want } of awsCases) {
  test(`route table from aws: ${reason}`, () => {
    assert.deepStrictEqual(routesFromAws(table), want);
  });
}

const subnetIdCases: Array<{ reason: string; subnetIds: string[]; want: unknown[] }> = [
  {
    reason: 'sorted and de-duplicated',
    subnetIds: ['subnet-b', 'subnet-a', 'subnet-b'],
    want: ['subnet-a', 'subnet-b'],
  },
  {
    reason: 'ids not known yet are kept apart, after the known ones',
    subnetIds: [UNKNOWN as unknown as string, 'subnet-a', UNKNOWN as unknown as string],
    want: ['subnet-a', UNKNOWN, UNKNOWN],
  },
];

for (const { reason, subnetIds, want } of subnetIdCases) {
  test(`route table subnet ids: ${reason}`, () => {
    assert.deepStrictEqual(normalizeSubnetIds(subnetIds), want);
  });
}
