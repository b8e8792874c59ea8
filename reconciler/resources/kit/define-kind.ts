import {
  kindOf,
  managementTags,
  ownedBy,
  TAG_ADDRESS,
  TAG_STACK,
  type Tags,
} from '../../aws/tags.ts';
import { changedFields, diffProperties, diffTags, hasTagChanges } from '../../plan/diff.ts';
import type { FieldChange } from '../../plan/types.ts';
import type {
  DeleteOptions,
  DesiredResource,
  FieldRule,
  IamActions,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
  ResourceStatus,
  StabilityVerdict,
} from '../types.ts';
import {
  asResourceError,
  type ErrorMatch,
  failure,
  matchesError,
  type Operation,
  unlessGone,
} from './errors.ts';
import { assertOwned } from './owned.ts';
import { releaseDelta, type TaggingFamily, tagDelta, tagsAfter } from './tagging/delta.ts';

/** Live is one AWS resource as a kind maps it: physical id, properties in the desired shape, tags. */
export interface Live<P> {
  id: string;
  properties: P;
  tags: Tags;
  /** Attributes other resources refer to (`arn`, `dnsName`); `id` is always added. */
  attributes?: Record<string, string>;
  /** Default `ready`. */
  status?: ResourceStatus;
  /** The raw AWS object, for the kind's stability check. */
  live?: unknown;
  /** Who owns it when the tags cannot say (an ECS service is matched by cluster and name). */
  owner?: { stack: string; address: string };
}

/** Created is what a create reports: properties and tags default to the desired ones it was made with. */
export type Created<P> = Omit<Live<P>, 'properties' | 'tags'> & Partial<Live<P>>;

/** Found is a resource that holds a desired resource's name: `address` says which one. */
export type Found<P> = Live<P> & { address: string };

/** UpdateResult is what an updater may report back: new attributes or id (a new revision), new status. */
export type UpdateResult<P> = Partial<Omit<Live<P>, 'properties'>> & { properties?: Partial<P> };

/** Updater changes one field in place; the kit records the desired value as the new observed one. */
export type Updater<P> = (
  ctx: ResourceContext,
  desired: DesiredResource<P>,
  observed: ObservedResource<P>,
) => Promise<UpdateResult<P> | undefined> | Promise<void>;

/** call is the common updater: one AWS call from the desired properties and the id, its answer unused. */
export function call<P>(
  send: (ctx: ResourceContext, desired: P, id: string) => Promise<unknown>,
): Updater<P> {
  return async (ctx, desired, observed) => {
    await send(ctx, desired.properties, observed.id);
  };
}

/**
 * KindDescriptor is everything that is particular to one AWS kind (see docs/architecture.md).
 * `list` is ONE batched read of every resource of the kind for ctx.stacks (SDK paginators;
 * parents through `memoized`), `toObserved` maps one live object to the desired shape (AWS
 * defaults normalized away) or undefined to skip it. The kit does ownership, diff, update
 * dispatch, tags, the deletion policy, error typing and adoption.
 */
export interface KindDescriptor<P, L> {
  kind: string;
  fields: Record<string, FieldRule>;
  sensitive?: string[];
  attributesChangedByUpdate?: string[];
  /** Kinds this one may refer to (creation order follows, deletes go backwards). */
  after?: string[];
  protected?: boolean;
  /** The kind supports deletionPolicy `snapshot`: destroy gets `{ snapshot: true }`. */
  snapshot?: boolean;
  tagging: TaggingFamily;
  /** What the tagging family addresses the resource by; default its id. */
  tagTarget?: (resource: Pick<ObservedResource<P>, 'id' | 'attributes'>) => string;
  /** AWS error codes meaning "this resource does not exist" (generic ones are known already). */
  notFound?: string[];
  iamActions: IamActions;
  list(ctx: ResourceContext): Promise<L[]>;
  toObserved(live: L, ctx: ResourceContext): Live<P> | undefined;
  /** Pure: brings desired and observed properties to one canonical form before the diff (sort sets). */
  normalize?(properties: P): P;
  /** Pure: adds reasons to, or adjusts, the computed changes (`engine major version forces replacement`). */
  explain?(changes: FieldChange[], desired: P, observed: P): FieldChange[];
  /** Pure: informational plan lines about an existing resource (a value another owner keeps). */
  notes?(desired: P, observed: P): string[];
  create(ctx: ResourceContext, desired: DesiredResource<P>): Promise<Created<P>>;
  /**
   * The properties `create` reports are what the create call itself set (CreateRole takes no
   * policies): the kit then runs the updaters for the fields that differ, as for an update.
   */
  updateAfterCreate?: boolean;
  /** One updater per field that changes in place. */
  updaters?: Partial<Record<string, Updater<P>>>;
  /** For kinds whose API changes several fields in one call: gets every changed field at once. */
  update?(
    ctx: ResourceContext,
    desired: DesiredResource<P>,
    observed: ObservedResource<P>,
    fields: ReadonlySet<string>,
  ): Promise<UpdateResult<P> | undefined> | Promise<void>;
  /** Deletes in AWS. "Already gone" needs no handling: the kit treats it as success. */
  destroy(
    ctx: ResourceContext,
    observed: ObservedResource<P>,
    options: { snapshot: boolean },
  ): Promise<void>;
  /** Has each observed resource settled? Default: its status (ready, pending, failed). */
  stability?(
    ctx: ResourceContext,
    observed: readonly ObservedResource<P>[],
  ): Promise<StabilityVerdict[]>;
  /** Looks up resources by the names of desired ones (for kinds with unique names), owned or not. */
  findByName?(ctx: ResourceContext, desired: readonly DesiredResource<P>[]): Promise<Found<P>[]>;
  /**
   * AWS codes a create answers when the name is taken (`EntityAlreadyExists`, or a generic code
   * with its message where AWS has no code of its own). With findByName
   * the kit then looks the name up: a holder tagged with our stack and address is ours (a try
   * whose response was lost, or a crash between create and record) and is brought to the desired
   * state; any other is a terminal "not owned" failure.
   */
  alreadyExists?: readonly ErrorMatch[];
  /**
   * Reads the desired values a spec names by where AWS keeps them rather than by value (an AMI
   * id by its public SSM parameter), once per pass before the plan: returns the same resources
   * with those values filled in, or throws when one cannot be read.
   */
  lookup?(
    ctx: ResourceContext,
    desired: readonly DesiredResource<P>[],
  ): Promise<DesiredResource<P>[]>;
  /**
   * Pure: what a person needs from this resource once it exists (a DNS name, an endpoint, a
   * URI), from its observed id and attributes: `reconciler output`, the end of apply, /status.
   */
  outputs?: ResourceHandler<P>['outputs'];
}

function statusVerdict(resource: ObservedResource<unknown>): StabilityVerdict {
  const base = { stack: resource.stack, address: resource.address };
  if (resource.status === 'failed') return { ...base, state: 'failed', detail: 'failed in AWS' };
  if (resource.status === 'ready') return { ...base, state: 'stable' };
  return { ...base, state: 'waiting', detail: `${resource.id} is ${resource.status}` };
}

/** defaultStability judges resources by the status their kind observed. */
export async function defaultStability(
  _ctx: ResourceContext,
  observed: readonly ObservedResource<unknown>[],
): Promise<StabilityVerdict[]> {
  return observed.map(statusVerdict);
}

/**
 * defineKind turns a kind descriptor into the handler the engine calls, adding everything every
 * kind shares: ownership filtering, the diff (normalize, properties, tags), update (changed
 * fields' updaters, then tags), one deletion policy (already gone is success; `retain` untags;
 * `snapshot` only where the kind supports it), typed errors and adoption.
 */
export function defineKind<P extends object, L>(
  descriptor: KindDescriptor<P, L>,
): ResourceHandler<P> {
  const { kind, tagging } = descriptor;
  const notFound = descriptor.notFound ?? [];
  const target = descriptor.tagTarget ?? ((resource) => resource.id);
  const normalize = descriptor.normalize ?? ((properties: P) => properties);
  const fieldOrder = Object.keys(descriptor.fields);

  const typed = async <T>(address: string, operation: Operation, run: () => Promise<T>) => {
    try {
      return await run();
    } catch (err) {
      throw asResourceError(err, { kind, address, operation });
    }
  };

  const toResource = (live: Live<P>, owner: { stack: string; address: string }) => ({
    address: owner.address,
    kind,
    stack: owner.stack,
    id: live.id,
    properties: live.properties,
    tags: live.tags,
    status: live.status ?? 'ready',
    attributes: { ...live.attributes, id: live.id },
    ...(live.live === undefined ? {} : { live: live.live }),
  });

  const listLive = async (ctx: ResourceContext): Promise<Live<P>[]> => {
    if (ctx.stacks.length === 0) return [];
    const items = await descriptor.list(ctx);
    return items
      .map((item) => descriptor.toObserved(item, ctx))
      .filter((live) => live !== undefined);
  };

  const diff: ResourceHandler<P>['diff'] = (desired, observed, desiredTags, observedTags) => {
    const wanted = normalize(desired) as Record<string, unknown>;
    const actual = normalize(observed) as Record<string, unknown>;
    const changes = [
      ...diffProperties(wanted, actual, descriptor.fields, descriptor.sensitive),
      ...diffTags(desiredTags, observedTags),
    ];
    return descriptor.explain ? descriptor.explain(changes, desired, observed) : changes;
  };

  /** updateInPlace runs the changed fields' updaters (or the one update), then the tag delta. */
  const updateInPlace = async (
    ctx: ResourceContext,
    desired: DesiredResource<P>,
    observed: ObservedResource<P>,
    changes: readonly FieldChange[],
  ): Promise<ObservedResource<P>> => {
    const fields = changedFields(changes);
    let result: ObservedResource<P> = {
      ...observed,
      properties: { ...observed.properties },
      attributes: { ...observed.attributes },
    };
    const merge = (reported: UpdateResult<P> | undefined | null, names: Iterable<string>) => {
      const properties = { ...result.properties } as Record<string, unknown>;
      for (const name of names)
        properties[name] = (desired.properties as Record<string, unknown>)[name];
      Object.assign(properties, reported?.properties);
      result = {
        ...result,
        ...(reported?.id ? { id: reported.id } : {}),
        ...(reported?.status ? { status: reported.status } : {}),
        properties: properties as P,
        attributes: {
          ...result.attributes,
          ...reported?.attributes,
          id: reported?.id ?? result.id,
        },
      };
    };
    if (fields.size > 0 && descriptor.update) {
      merge((await descriptor.update(ctx, desired, result, fields)) || undefined, fields);
    } else {
      for (const name of [...fields].sort(
        (a, b) => fieldOrder.indexOf(a) - fieldOrder.indexOf(b),
      )) {
        const updater = descriptor.updaters?.[name];
        if (!updater) {
          throw failure(`cannot update ${observed.address}: ${kind} has no updater for ${name}`, {
            kind,
            address: observed.address,
            operation: 'update',
            disposition: 'terminal',
          });
        }
        merge((await updater(ctx, desired, result)) || undefined, [name]);
      }
    }
    if (hasTagChanges(changes)) {
      await tagging.write(ctx, target(result), tagDelta(desired.tags, observed.tags));
      result = { ...result, tags: tagsAfter(desired.tags, observed.tags) };
    }
    return result;
  };

  /** converge brings a resource just made or taken back to the desired state in place (a replacement is left to the next plan). */
  const converge = async (
    ctx: ResourceContext,
    desired: DesiredResource<P>,
    observed: ObservedResource<P>,
  ): Promise<ObservedResource<P>> => {
    const changes = diff(desired.properties, observed.properties, desired.tags, observed.tags);
    const inPlace = changes.filter((change) => !change.forcesReplacement);
    return inPlace.length === 0 ? observed : updateInPlace(ctx, desired, observed, inPlace);
  };

  /**
   * claim resolves a create AWS refused because the name is taken (see `alreadyExists`): the
   * holder is looked up by name afresh (not from the pass's listings, which predate it); ours
   * is converged, any other is a terminal failure.
   */
  const claim = async (
    ctx: ResourceContext,
    desired: DesiredResource<P>,
    err: unknown,
  ): Promise<ObservedResource<P>> => {
    if (!descriptor.findByName || !matchesError(err, descriptor.alreadyExists ?? [])) throw err;
    const { memo: _memo, ...now } = ctx;
    const found = await descriptor.findByName(now, [desired]);
    const holder = found.find((candidate) => candidate.address === desired.address);
    if (!holder) throw err;
    assertOwned(desired, holder.id, holder.tags, true);
    return converge(now, desired, toResource(holder, desired));
  };

  const handler: ResourceHandler<P> = {
    kind,
    fields: descriptor.fields,
    ...(descriptor.sensitive ? { sensitive: descriptor.sensitive } : {}),
    ...(descriptor.attributesChangedByUpdate
      ? { attributesChangedByUpdate: descriptor.attributesChangedByUpdate }
      : {}),
    after: descriptor.after ?? [],
    protected: descriptor.protected ?? false,
    snapshot: descriptor.snapshot ?? false,
    ...(descriptor.notes ? { notes: descriptor.notes } : {}),
    ...(descriptor.outputs ? { outputs: descriptor.outputs } : {}),
    iamActions: {
      read: descriptor.iamActions.read,
      write: [...descriptor.iamActions.write, ...tagging.iamActions],
      ...(descriptor.iamActions.secret ? { secret: descriptor.iamActions.secret } : {}),
      tagging: tagging.iamActions,
      ...(descriptor.iamActions.scope ? { scope: descriptor.iamActions.scope } : {}),
    },

    async observeAll(ctx) {
      const observed: ObservedResource<P>[] = [];
      for (const live of await listLive(ctx)) {
        const owner = live.owner ?? ownedBy(live.tags, ctx.stacks);
        if (!owner || kindOf(owner.address) !== kind || !ctx.stacks.includes(owner.stack)) continue;
        observed.push(toResource(live, owner));
      }
      return observed;
    },

    diff,

    create(ctx, desired) {
      return typed(desired.address, 'create', async () => {
        try {
          const live = await descriptor.create(ctx, desired);
          const { properties = { ...desired.properties }, tags = { ...desired.tags } } = live;
          const created = toResource({ ...live, properties, tags }, desired);
          return descriptor.updateAfterCreate ? converge(ctx, desired, created) : created;
        } catch (err) {
          return claim(ctx, desired, err);
        }
      });
    },

    update(ctx, desired, observed, changes) {
      return typed(observed.address, 'update', () =>
        updateInPlace(ctx, desired, observed, changes),
      );
    },

    async delete(ctx, observed, options: DeleteOptions) {
      const policy = options.deletionPolicy;
      const operation: Operation = policy === 'retain' ? 'untag' : 'delete';
      if (policy === 'snapshot' && !descriptor.snapshot) {
        throw failure(
          `cannot delete ${observed.address}: deletionPolicy snapshot is not supported by ${kind}`,
          { kind, address: observed.address, operation, disposition: 'terminal' },
        );
      }
      await typed(observed.address, operation, () =>
        unlessGone(notFound, () =>
          policy === 'retain'
            ? tagging.write(ctx, target(observed), releaseDelta(observed.tags))
            : descriptor.destroy(ctx, observed, { snapshot: policy === 'snapshot' }),
        ),
      );
    },

    stability(ctx, observed) {
      return (descriptor.stability ?? defaultStability)(ctx, observed);
    },

    async inventory(ctx) {
      return (await listLive(ctx))
        .filter((live) => ctx.stacks.includes(live.tags[TAG_STACK] ?? ''))
        .map((live) => ({
          stack: live.tags[TAG_STACK] ?? '',
          address: live.tags[TAG_ADDRESS] ?? '',
          id: live.id,
        }));
    },
  };

  if (descriptor.lookup) {
    const lookup = descriptor.lookup;
    handler.lookup = (ctx, desired) =>
      lookup(ctx, desired).catch((err: unknown) => {
        throw asResourceError(err, {
          kind,
          address: desired[0]?.address ?? kind,
          operation: 'observe',
        });
      });
  }
  if (descriptor.findByName) {
    const findByName = descriptor.findByName;
    handler.findUnowned = async (ctx, desired) => {
      const byAddress = new Map(desired.map((resource) => [resource.address, resource]));
      const found = await findByName(ctx, desired);
      return found
        .filter((live) => {
          const wanted = byAddress.get(live.address);
          const owner = ownedBy(live.tags, [wanted?.stack ?? '']);
          return wanted !== undefined && owner?.address !== live.address;
        })
        .map((live) =>
          toResource(live, {
            stack: byAddress.get(live.address)?.stack ?? '',
            address: live.address,
          }),
        );
    };
    handler.adopt = (ctx, found, desired) =>
      typed(desired.address, 'adopt', () =>
        tagging.write(ctx, target(found), {
          set: managementTags(desired.stack, desired.address),
          remove: [],
        }),
      );
  }
  return handler;
}
