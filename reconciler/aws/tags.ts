/** Tags is a plain AWS tag map. */
export type Tags = Record<string, string>;

/** TAG_STACK names the stack that owns a resource. Without it, a resource is never updated or deleted. */
export const TAG_STACK = 'reconciler:stack';
/** TAG_ADDRESS holds the logical address (`subnet.private-a`) observe matches on. */
export const TAG_ADDRESS = 'reconciler:address';
/** TAG_MANAGED_BY marks the tool that manages the resource. */
export const TAG_MANAGED_BY = 'reconciler:managed-by';
/** MANAGED_BY_VALUE is the value of TAG_MANAGED_BY. */
export const MANAGED_BY_VALUE = 'reconciler';

/** managementTags returns the three tags that make a resource ours. */
export function managementTags(stack: string, address: string): Tags {
  return { [TAG_STACK]: stack, [TAG_ADDRESS]: address, [TAG_MANAGED_BY]: MANAGED_BY_VALUE };
}

/** isAwsTag tells whether a tag key is reserved by AWS (`aws:`): never diffed, set or removed. */
export function isAwsTag(key: string): boolean {
  return key.startsWith('aws:');
}

/** isManagementTag tells whether a key is one of ours (reserved in specs). */
export function isManagementTag(key: string): boolean {
  return key.startsWith('reconciler:');
}

/** tagListToMap turns AWS `[{ Key, Value }]` (any casing) into a map. */
export function tagListToMap(
  list: ReadonlyArray<{ Key?: string; Value?: string; key?: string; value?: string }> | undefined,
): Tags {
  const tags: Tags = {};
  for (const tag of list ?? []) {
    const key = tag.Key ?? tag.key;
    if (key !== undefined) tags[key] = tag.Value ?? tag.value ?? '';
  }
  return tags;
}

/** tagMapToList turns a map into AWS `[{ Key, Value }]`, sorted by key for stable requests. */
export function tagMapToList(tags: Tags): { Key: string; Value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key]! }));
}

/** ownedBy tells whether tags say the resource belongs to one of `stacks`, and at which address. */
export function ownedBy(
  tags: Tags,
  stacks: readonly string[],
): { stack: string; address: string } | undefined {
  const stack = tags[TAG_STACK];
  const address = tags[TAG_ADDRESS];
  if (stack === undefined || address === undefined || !stacks.includes(stack)) return undefined;
  return { stack, address };
}

/** kindOf returns the kind part of an address (`subnet.private-a` -> `subnet`). */
export function kindOf(address: string): string {
  const dot = address.indexOf('.');
  return dot < 0 ? address : address.slice(0, dot);
}
