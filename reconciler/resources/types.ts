import type { AwsClients } from '../aws/clients.ts';
import type { Tags } from '../aws/tags.ts';
import type { FieldChange } from '../plan/types.ts';
import type { Memo } from './kit/memo.ts';

export type { Tags };

/**
 * Ref points at an attribute of another logical resource (`{ $ref: 'vpc.main', attr: 'id' }`).
 * The engine resolves it from the observed or just-created target before diff and apply;
 * when the target does not exist yet it becomes UNKNOWN in the plan. A `suffix` is appended to
 * the resolved value: an image is the repository's `uri` followed by `:<tag>`.
 */
export interface Ref {
  $ref: string;
  attr: string;
  suffix?: string;
}

/** ref builds a Ref to `address`'s attribute (default: its physical id), with an optional suffix. */
export function ref(address: string, attr = 'id', suffix?: string): Ref {
  return suffix === undefined ? { $ref: address, attr } : { $ref: address, attr, suffix };
}

/** isRef tells whether a value is a Ref. */
export function isRef(value: unknown): value is Ref {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $ref?: unknown }).$ref === 'string' &&
    typeof (value as { attr?: unknown }).attr === 'string'
  );
}

/** DeletionPolicy says what removing a resource from the spec does to it. */
export type DeletionPolicy = 'delete' | 'retain' | 'snapshot';

/**
 * DesiredResource is one logical resource expanded from a stack spec.
 * `properties` has the same shape the handler's observe produces, except that
 * fields depending on other resources hold Refs.
 */
export interface DesiredResource<P = Record<string, unknown>> {
  /** Logical address, `<kind>.<name>`, unique in the stack: `subnet.private-a`. */
  address: string;
  kind: string;
  stack: string;
  region: string;
  properties: P;
  /** Every tag the resource must carry, including the reconciler:* management tags. */
  tags: Tags;
  /** Addresses this resource depends on beyond the ones its Refs already name. */
  dependsOn: string[];
  deletionPolicy: DeletionPolicy;
}

/** ResourceStatus: pending means AWS is still creating or changing it; the engine requeues, never waits. */
export type ResourceStatus = 'ready' | 'pending' | 'failed' | 'deleting';

/** ObservedResource is one live AWS resource owned by a stack, matched by its reconciler:address tag. */
export interface ObservedResource<P = Record<string, unknown>> {
  address: string;
  kind: string;
  stack: string;
  /** Physical id: vpc-0abc..., an ARN, a log group name. */
  id: string;
  /** Live properties, normalized to the desired shape so the two compare field by field. */
  properties: P;
  tags: Tags;
  status: ResourceStatus;
  /** Attributes other resources refer to (`id`, `arn`, `dnsName`, ...). Always includes `id`. */
  attributes: Record<string, string>;
  /** The live AWS object it was read from, for a kind's stability check; never diffed or rendered. */
  live?: unknown;
}

/** Logger is the subset of pino the handlers use. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** ResourceContext is everything a handler may use: SDK clients for one region, and the stacks in scope. */
export interface ResourceContext {
  clients: AwsClients;
  region: string;
  /** Names of every stack being reconciled in this region: observeAll returns resources of all of them at once. */
  stacks: string[];
  log: Logger;
  /** Per-pass cache of parent reads shared by several kinds (set by observe; absent outside a pass). */
  memo?: Memo;
}

/** DeleteOptions carries the deletion policy (and a final snapshot name where the kind supports one). */
export interface DeleteOptions {
  deletionPolicy: DeletionPolicy;
}

/**
 * FieldRule says what a change to one property does: update in place, force a replacement,
 * or nothing: `ignore` for AWS-managed or AWS-defaulted values that must never show as drift,
 * `create-only` for values set at creation and then owned by AWS or a scaler (an Auto Scaling
 * group's desired capacity): shown in the plan of a create, never diffed afterwards.
 */
export type FieldRule = 'update' | 'replace' | 'ignore' | 'create-only';

/** IamActions are the IAM actions a kind calls: reads (all `plan` needs), writes, and reads of secret values. */
export interface IamActions {
  read: readonly string[];
  write: readonly string[];
  secret?: readonly string[];
  /** The writes that change tags (the kind's tagging family): guarded so no foreign resource is tagged in. */
  tagging?: readonly string[];
  /** How a policy narrows the writes to one stack's resources; without it they stay on `*`. */
  scope?: IamScope;
}

/**
 * IamScope says how AWS authorizes a kind's writes (commands/iam-policy.ts renders it). A write
 * not listed under `create`, `byArn` or `unscoped` is allowed only on a resource whose
 * `reconciler:stack` tag (aws:ResourceTag) names the stack.
 */
export interface IamScope {
  /** The kind's resource ARN(s); `{account}` and `{stack}` are filled in: `arn:aws:ec2:*:{account}:vpc/*`. */
  arn: string | readonly string[];
  /** Writes that create a resource: allowed when the request carries the stack's tags (aws:RequestTag, aws:TagKeys). */
  create?: readonly string[];
  /** Writes AWS cannot condition on the resource's tags: narrowed by `arn` alone. */
  byArn?: readonly string[];
  /** Writes AWS authorizes on no resource at all (`*` only). */
  unscoped?: readonly string[];
  /** Reads AWS narrows to `arn` (the others are allowed on `*`: `Describe*` takes no resource). */
  scopedReads?: readonly string[];
}

/** StabilityVerdict is one resource's answer to "has it settled?" for `apply --wait`. */
export interface StabilityVerdict {
  stack: string;
  address: string;
  state: 'stable' | 'waiting' | 'failed';
  /** Why it waits or failed: `1/2 tasks running`, `deployment failed: ...`. */
  detail?: string;
}

/**
 * ResourceHandler is the whole contract of one AWS resource kind as the engine sees it (see
 * DESIGN.md). Kinds do not write it by hand: defineKind (kit/define-kind.ts) builds it from a
 * descriptor. The engine never imports an SDK client; it only calls handlers.
 */
export interface ResourceHandler<P = Record<string, unknown>> {
  kind: string;
  /** Field table: for each top-level property, whether a change updates in place or replaces. */
  fields: Record<string, FieldRule>;
  /** Properties whose values are secrets: redacted in every rendering and log. */
  sensitive?: string[];
  /**
   * Attributes an in-place update of a property (not only of tags) gives new values, such as
   * `['id', 'arn']` of a task definition (every update registers a new revision): the plan shows
   * Refs to them as `(known after apply)`. Default: an update changes no attribute.
   */
  attributesChangedByUpdate?: string[];
  /** Kinds this kind may refer to: the registry orders kinds after these (deletes run backwards). */
  after?: readonly string[];
  /** A replacement destroys data: apply refuses it unless the address is allowed explicitly. */
  protected?: boolean;
  /** The kind takes deletionPolicy `snapshot` (a final snapshot before the delete). */
  snapshot?: boolean;
  /** The IAM actions the kind calls. */
  iamActions?: IamActions;
  /** Pure: the values a person needs from the resource (DNS name, endpoint, URI), by name. */
  outputs?(
    resource: Pick<ObservedResource<P>, 'id' | 'attributes'>,
    region: string,
  ): Record<string, string>;
  /** ONE batched, tag-filtered read of every resource of this kind owned by ctx.stacks. */
  observeAll(ctx: ResourceContext): Promise<ObservedResource<P>[]>;
  /** Pure: differing fields between resolved desired properties and observed ones. */
  diff(desired: P, observed: P, desiredTags: Tags, observedTags: Tags): FieldChange[];
  /**
   * Pure: what the plan tells about an existing resource besides its changes, one line each
   * (`desiredCount: managed by auto scaling (now 3)`): informational, never a change.
   */
  notes?(desired: P, observed: P): string[];
  /** Creates the resource with its tags at creation; returns it as observe would see it. */
  create(ctx: ResourceContext, desired: DesiredResource<P>): Promise<ObservedResource<P>>;
  /** Updates in place the fields in `changes`. */
  update(
    ctx: ResourceContext,
    desired: DesiredResource<P>,
    observed: ObservedResource<P>,
    changes: FieldChange[],
  ): Promise<ObservedResource<P>>;
  /** Idempotent: an already deleted resource is success. Honors deletionPolicy (retain: untag only). */
  delete(
    ctx: ResourceContext,
    observed: ObservedResource<P>,
    options: DeleteOptions,
  ): Promise<void>;
  /** Has each observed resource settled (`apply --wait`)? */
  stability?(
    ctx: ResourceContext,
    observed: readonly ObservedResource<P>[],
  ): Promise<StabilityVerdict[]>;
  /**
   * Finds resources that hold the name of a desired resource but not our ownership tags
   * (tags removed out of band, or made by hand): reported as "not owned", never duplicated.
   */
  findUnowned?(
    ctx: ResourceContext,
    desired: readonly DesiredResource<P>[],
  ): Promise<ObservedResource<P>[]>;
  /**
   * Fills in the desired values the spec names by where AWS keeps them (an AMI id by its SSM
   * parameter): called once per pass, before the plan, with the desired resources of the kind.
   */
  lookup?(
    ctx: ResourceContext,
    desired: readonly DesiredResource<P>[],
  ): Promise<DesiredResource<P>[]>;
  /** Takes over a resource findUnowned found: writes the desired tags, ownership included. */
  adopt?(
    ctx: ResourceContext,
    found: ObservedResource<P>,
    desired: DesiredResource<P>,
  ): Promise<void>;
  /** Every resource of the kind carrying the stack tag of ctx.stacks, whatever its address (test inventories). */
  inventory?(ctx: ResourceContext): Promise<Array<{ stack: string; address: string; id: string }>>;
}
