import {
  type EcrRepositoryProperties,
  type LifecyclePolicy,
  repositoryName,
  TAG_FORCE_DELETE,
} from '../resources/ecr-repository.ts';
import { type DesiredResource, type Ref, ref } from '../resources/types.ts';
import type { ResolvedRepository, ResolvedStack, Service } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';

/**
 * lifecyclePolicy writes the spec's lifecycle as an ECR policy document: untagged images expire
 * first (priority 1), then everything beyond the newest N (a `tagStatus: any` rule must have the
 * highest priority number). No lifecycle section is a policy without rules: none in AWS.
 */
export function lifecyclePolicy(lifecycle: ResolvedRepository['lifecycle']): LifecyclePolicy {
  if (!lifecycle) return { rules: [] };
  const rules: Record<string, unknown>[] = [
    {
      rulePriority: 1,
      description: `expire untagged images ${lifecycle.expireUntaggedAfterDays} days after their push`,
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: lifecycle.expireUntaggedAfterDays,
      },
      action: { type: 'expire' },
    },
  ];
  if (lifecycle.keepLastImages !== undefined) {
    rules.push({
      rulePriority: 2,
      description: `keep the last ${lifecycle.keepLastImages} images`,
      selection: {
        tagStatus: 'any',
        countType: 'imageCountMoreThan',
        countNumber: lifecycle.keepLastImages,
      },
      action: { type: 'expire' },
    });
  }
  return { rules };
}

/** serviceImage is a service's image: as written, or its registry repository's URI and tag (a Ref). */
export function serviceImage(service: Pick<Service, 'image'>): string | Ref {
  const image = service.image;
  if (typeof image === 'string') return image;
  return ref(addresses.ecrRepository(image.repository), 'uri', `:${image.tag}`);
}

/** expandRegistry returns one `ecr-repository.<name>` per entry of the stack's registry, named `<stack>/<name>`. */
export function expandRegistry(stack: ResolvedStack): DesiredResource[] {
  return (stack.registry?.repositories ?? []).map((repository) => {
    const properties: EcrRepositoryProperties = {
      name: repositoryName(stack.name, repository.name),
      tagMutability: repository.tagMutability,
      scanOnPush: repository.scanOnPush,
      encryption: repository.encryption,
      lifecyclePolicy: lifecyclePolicy(repository.lifecycle),
    };
    if (repository.kmsKeyArn) properties.kmsKeyArn = repository.kmsKeyArn;
    return desired(stack, addresses.ecrRepository(repository.name), properties, {
      tags: repository.force ? { [TAG_FORCE_DELETE]: 'true' } : {},
    });
  });
}
