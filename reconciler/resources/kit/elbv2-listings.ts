import {
  type LoadBalancer,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResourceContext } from '../types.ts';
import { memoized } from './memo.ts';
import { collect } from './paginate.ts';
import { describeTagged, type Tagged } from './tagging/elbv2.ts';

/** ELBV2_PAGE_SIZE is the largest page DescribeLoadBalancers and DescribeTargetGroups return. */
export const ELBV2_PAGE_SIZE = 400;

/** taggedListing reads one ELBv2 listing of the region and its tags once per observe pass. */
function taggedListing<T>(
  ctx: ResourceContext,
  key: string,
  list: () => Promise<T[]>,
  arnOf: (resource: T) => string | undefined,
): Promise<Tagged<T>[]> {
  return memoized(ctx, key, async () => describeTagged(ctx, await list(), arnOf));
}

/** LOAD_BALANCER_READS are the IAM actions taggedLoadBalancers calls. */
export const LOAD_BALANCER_READS = [
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeTags',
];

/**
 * taggedLoadBalancers is every load balancer of the region with its tags (DescribeLoadBalancers,
 * then DescribeTags 20 ARNs a call), read once per pass: the load-balancer kind and the listener
 * kind (listeners are listed per load balancer) share it.
 */
export function taggedLoadBalancers(ctx: ResourceContext): Promise<Tagged<LoadBalancer>[]> {
  const pages = () =>
    paginateDescribeLoadBalancers({ client: ctx.clients.elbv2 }, { PageSize: ELBV2_PAGE_SIZE });
  return taggedListing(
    ctx,
    'elbv2:load-balancers',
    () => collect(pages(), (page) => page.LoadBalancers),
    (balancer) => balancer.LoadBalancerArn,
  );
}

/** TARGET_GROUP_READS are the IAM actions taggedTargetGroups calls. */
export const TARGET_GROUP_READS = [
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTags',
];

/**
 * taggedTargetGroups is every target group of the region with its tags, read once per pass
 * (observe, and the look-up by name of a missing one, when both run in one pass).
 */
export function taggedTargetGroups(ctx: ResourceContext): Promise<Tagged<TargetGroup>[]> {
  const pages = () =>
    paginateDescribeTargetGroups({ client: ctx.clients.elbv2 }, { PageSize: ELBV2_PAGE_SIZE });
  return taggedListing(
    ctx,
    'elbv2:target-groups',
    () => collect(pages(), (page) => page.TargetGroups),
    (group) => group.TargetGroupArn,
  );
}
