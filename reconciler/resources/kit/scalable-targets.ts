import {
  ListTagsForResourceCommand,
  paginateDescribeScalableTargets,
  type ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import { kindOf, ownedBy, type Tags } from '../../aws/tags.ts';
import type { ResourceContext } from '../types.ts';
import { ownedClusters } from './ecs-clusters.ts';
import { memoized } from './memo.ts';
import { collect } from './paginate.ts';
import { readEach } from './read-each.ts';

/** ECS_NAMESPACE and ECS_DESIRED_COUNT: what an ECS service's scalable target scales. */
export const ECS_NAMESPACE = 'ecs';
export const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';

/** serviceResourceId is Application Auto Scaling's id of an ECS service: `service/<cluster>/<service>`. */
export function serviceResourceId(cluster: string, service: string): string {
  return `service/${cluster}/${service}`;
}

/** TaggedTarget is one scalable target with its tags and the owner they name, if any. */
export interface TaggedTarget {
  target: ScalableTarget;
  tags: Tags;
  owner?: { stack: string; address: string };
}

/**
 * readScalableTargets is every ECS service scalable target in the clusters of the stacks in
 * scope, with its tags: one paginated DescribeScalableTargets of the ecs namespace (it has no
 * filter by cluster, and listing the ResourceIds would take a ListServices per cluster), then
 * ListTagsForResource for the targets of our clusters only. Read once per pass: the
 * scalable-target and scaling-policy kinds share it through the memo.
 */
export function readScalableTargets(ctx: ResourceContext): Promise<TaggedTarget[]> {
  return memoized(ctx, 'application-autoscaling:ecs-targets', async () => {
    const clusters = (await ownedClusters(ctx)).map(({ arn }) => arn.split('/').pop() ?? '');
    if (clusters.length === 0) return [];
    const prefixes = clusters.map((cluster) => `service/${cluster}/`);
    const targets = await collect(
      paginateDescribeScalableTargets(
        { client: ctx.clients.applicationAutoScaling },
        { ServiceNamespace: ECS_NAMESPACE, ScalableDimension: ECS_DESIRED_COUNT },
      ),
      (page) => page.ScalableTargets,
    );
    const ours = targets.filter((target) =>
      prefixes.some((prefix) => (target.ResourceId ?? '').startsWith(prefix)),
    );
    return readEach(ours, [], async (target) => {
      const listed = await ctx.clients.applicationAutoScaling.send(
        new ListTagsForResourceCommand({ ResourceARN: target.ScalableTargetARN ?? '' }),
      );
      const tags = listed.Tags ?? {};
      const owner = ownedBy(tags, ctx.stacks);
      return owner && kindOf(owner.address) === 'scalable-target'
        ? { target, tags, owner }
        : { target, tags };
    });
  });
}
