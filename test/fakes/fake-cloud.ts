/**
 * An in-memory cloud and handlers over it, for tests of the engine and of anything built on
 * reconcile() (the daemon): plain objects implementing ResourceHandler, no SDK, no emulator.
 */
import type { AwsClients } from '../../reconciler/aws/clients.ts';
import { managementTags, ownedBy, TAG_ADDRESS } from '../../reconciler/aws/tags.ts';
import { diffProperties, diffTags } from '../../reconciler/plan/diff.ts';
import type {
  DeletionPolicy,
  DesiredResource,
  FieldRule,
  ObservedResource,
  ResourceHandler,
  ResourceStatus,
  Tags,
} from '../../reconciler/resources/types.ts';
import type { Stack } from '../../reconciler/spec/types.generated.ts';

/** FakeResource is one resource in the in-memory cloud. */
export interface FakeResource {
  kind: string;
  id: string;
  properties: Record<string, unknown>;
  tags: Tags;
  status: ResourceStatus;
  attributes: Record<string, string>;
}

/** FakeCloud is an in-memory AWS for engine tests: it records calls, can fail or delay them. */
export class FakeCloud {
  readonly resources = new Map<string, FakeResource>();
  /** Mutating calls in the order they started: `create subnet.a`, `delete vpc.main vpc-1`. */
  readonly calls: string[] = [];
  readonly observeCalls = new Map<string, number>();
  /** `create subnet.a`: that call throws once. */
  readonly failOnce = new Set<string>();
  /** Addresses whose create returns status pending. */
  readonly createPending = new Set<string>();
  /** Milliseconds every mutating call takes. */
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  #next = 0;

  nextId(kind: string): string {
    this.#next += 1;
    return `${kind}-${this.#next}`;
  }

  /** add puts a resource into the cloud directly (drift, leaks, untagged resources). */
  add(resource: Omit<FakeResource, 'attributes' | 'status'> & { status?: ResourceStatus }): void {
    this.resources.set(resource.id, {
      status: 'ready',
      attributes: { id: resource.id, arn: `arn:${resource.id}` },
      ...resource,
    });
  }

  /** byAddress lists resources tagged with an address (any stack). */
  byAddress(address: string): FakeResource[] {
    return [...this.resources.values()].filter(
      (resource) => resource.tags[TAG_ADDRESS] === address,
    );
  }

  async call<T>(name: string, body: () => T): Promise<T> {
    this.calls.push(name);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const key = name.split(' ').slice(0, 2).join(' ');
      if (this.failOnce.delete(key)) throw new Error(`InjectedFailure: ${key}`);
      return body();
    } finally {
      this.inFlight -= 1;
    }
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function toObserved(resource: FakeResource, owner: { stack: string; address: string }) {
  return {
    address: owner.address,
    kind: resource.kind,
    stack: owner.stack,
    id: resource.id,
    properties: clone(resource.properties),
    tags: { ...resource.tags },
    status: resource.status,
    attributes: { ...resource.attributes },
  } satisfies ObservedResource;
}

/**
 * fakeHandler implements ResourceHandler against the FakeCloud. Updating a property of a task
 * definition bumps its arn (a new revision), like AWS, and the handler declares so
 * (`attributesChangedByUpdate: ['arn']`).
 */
export function fakeHandler(
  cloud: FakeCloud,
  kind: string,
  fields: Record<string, FieldRule> = {},
  sensitive: string[] = [],
): ResourceHandler {
  return {
    kind,
    fields,
    sensitive,
    ...(kind === 'task-definition' ? { attributesChangedByUpdate: ['arn'] } : {}),
    async observeAll(ctx) {
      cloud.observeCalls.set(kind, (cloud.observeCalls.get(kind) ?? 0) + 1);
      const found: ObservedResource[] = [];
      for (const resource of cloud.resources.values()) {
        const owner = ownedBy(resource.tags, ctx.stacks);
        if (resource.kind === kind && owner) found.push(toObserved(resource, owner));
      }
      return found;
    },
    diff(desired, observed, desiredTags, observedTags) {
      return [
        ...diffProperties(desired, observed, fields, sensitive),
        ...diffTags(desiredTags, observedTags),
      ];
    },
    create(_ctx, desired) {
      return cloud.call(`create ${desired.address}`, () => {
        const id = cloud.nextId(kind);
        const resource: FakeResource = {
          kind,
          id,
          properties: clone(desired.properties),
          tags: { ...desired.tags },
          status: cloud.createPending.has(desired.address) ? 'pending' : 'ready',
          attributes: { id, arn: `arn:${id}` },
        };
        cloud.resources.set(id, resource);
        return toObserved(resource, { stack: desired.stack, address: desired.address });
      });
    },
    update(_ctx, desired, observed) {
      return cloud.call(`update ${desired.address} ${observed.id}`, () => {
        const resource = cloud.resources.get(observed.id);
        if (!resource) throw new Error(`NotFound: ${observed.id}`);
        const propertiesChanged =
          diffProperties(desired.properties, resource.properties, fields).length > 0;
        resource.properties = clone(desired.properties);
        resource.tags = { ...desired.tags };
        if (kind === 'task-definition' && propertiesChanged) {
          resource.attributes.arn = `${resource.attributes.arn}+`;
        }
        return toObserved(resource, { stack: desired.stack, address: desired.address });
      });
    },
    delete(_ctx, observed, options) {
      return cloud.call(
        `delete ${observed.address} ${observed.id} ${options.deletionPolicy}`,
        () => {
          const resource = cloud.resources.get(observed.id);
          if (!resource) return;
          if (options.deletionPolicy === 'retain') {
            resource.tags = Object.fromEntries(
              Object.entries(resource.tags).filter(([key]) => !key.startsWith('reconciler:')),
            );
          } else {
            cloud.resources.delete(observed.id);
          }
        },
      );
    },
  };
}

/** fakeClients stands in for SDK clients: fake handlers never touch them. */
export const fakeClients = {} as AwsClients;

/** testStack is a minimal stack value: the engine reads only name, region and deletionPolicy. */
export function testStack(
  name: string,
  options: { region?: string; deletionPolicy?: 'delete' | 'retain' } = {},
): Stack {
  return {
    name,
    region: options.region ?? 'us-west-2',
    deletionPolicy: options.deletionPolicy,
  } as unknown as Stack;
}

/** desiredOf builds a DesiredResource of a stack with its management tags. */
export function desiredOf(
  stack: string,
  address: string,
  properties: Record<string, unknown>,
  options: { dependsOn?: string[]; deletionPolicy?: DeletionPolicy; tags?: Tags } = {},
): DesiredResource {
  return {
    address,
    kind: address.slice(0, address.indexOf('.')),
    stack,
    region: 'us-west-2',
    properties,
    tags: { ...options.tags, ...managementTags(stack, address) },
    dependsOn: options.dependsOn ?? [],
    deletionPolicy: options.deletionPolicy ?? 'delete',
  };
}

/** ownedTags are the management tags of an address, for resources added directly. */
export function ownedTags(stack: string, address: string): Tags {
  return managementTags(stack, address);
}
