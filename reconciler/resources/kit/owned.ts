import { TAG_ADDRESS, TAG_STACK, type Tags } from '../../aws/tags.ts';
import type { DesiredResource } from '../types.ts';
import { failure } from './errors.ts';

/** adoptCommand is the command line that takes over a resource holding a desired name. */
export function adoptCommand(stack: string, address: string, id: string): string {
  return `reconciler adopt --stack ${stack} ${address} ${id}`;
}

/**
 * assertOwned lets a create carry on with a resource that already holds the desired name (AWS
 * answered "already exists", or an idempotent create returned the existing one) only when its
 * tags name the desired stack and address: then it is ours, made by an earlier try whose
 * response was lost or that crashed before it was recorded. Any other holder is a terminal
 * failure (the same create would meet it again); `adoptable` kinds say how to take it over.
 */
export function assertOwned(
  desired: Pick<DesiredResource, 'kind' | 'stack' | 'address'>,
  id: string,
  tags: Tags,
  adoptable: boolean,
): void {
  const { kind, stack, address } = desired;
  if (tags[TAG_STACK] === stack && tags[TAG_ADDRESS] === address) return;
  const hint = adoptable ? `: adopt it with \`${adoptCommand(stack, address, id)}\`` : '';
  throw failure(
    `cannot create ${address}: ${id} already exists and is not owned by ${address} of stack ${stack}${hint}`,
    { kind, address, operation: 'create', disposition: 'terminal' },
  );
}
