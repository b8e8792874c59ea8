import {
  ConditionalCheckFailedException,
  GetItemCommand,
  type GetItemCommandOutput,
  PutItemCommand,
  ScanCommand,
  type ScanCommandOutput,
  type UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { errorCode } from '../aws/errors.ts';
import { assign, type StackLeaseItem } from './assignment.ts';
import {
  type DynamoLeaseOptions,
  LeaseLostError,
  leaseFromItem,
  setExpiry,
  takeLease,
} from './lease.ts';

/**
 * StackLeasesOptions configures StackLeases as DynamoLeaseOptions does the single lease; name
 * prefixes every item, so replicas with the same name share the stacks.
 */
export type StackLeasesOptions = DynamoLeaseOptions;

/** StackOwner is who holds a stack's lease, as /status shows it. */
export interface StackOwner {
  holder: string;
  token: number;
  expiresAt: string;
}

type Attributes = Record<string, { S?: string; N?: string }>;

/**
 * StackLeases spreads stacks over replicas with one lease item per stack in the lease table
 * (`<name>/stack/<stack>`: holder, token, expiresAt) and one heartbeat item per replica
 * (`<name>/replica/<id>`). Each round (every ttl/3) a replica writes its heartbeat, reads the
 * table with one consistent scan, and then renews, releases and claims as `assign` decides,
 * every write conditioned on the item being as read (holder, token, expiry), so two replicas
 * never hold one stack. checkFence is a consistent read of one stack's lease before each
 * AWS-changing operation of that stack.
 */
export class StackLeases {
  readonly #options: StackLeasesOptions;
  /** held maps our stacks to their token and the expiry we last wrote. */
  readonly #held = new Map<string, { token: number; expiresAt: number }>();
  #leases = new Map<string, StackLeaseItem>();
  #replicas = new Map<string, number>();
  #known = false;

  constructor(options: StackLeasesOptions) {
    this.#options = options;
  }

  get known(): boolean {
    return this.#known;
  }

  #key(kind: 'stack' | 'replica', id: string): string {
    return `${this.#options.name}/${kind}/${id}`;
  }

  /** owned are the stacks whose lease we hold and which have not lapsed unrenewed. */
  owned(): Set<string> {
    const now = this.#options.clock.now();
    return new Set(
      [...this.#held].filter(([, lease]) => lease.expiresAt > now).map(([stack]) => stack),
    );
  }

  /** liveReplicas are the replicas whose heartbeat had not expired at the last round. */
  liveReplicas(): string[] {
    const now = this.#options.clock.now();
    return [...this.#replicas]
      .filter(([id, expiresAt]) => id === this.#options.holder || expiresAt > now)
      .map(([id]) => id)
      .sort();
  }

  /** ownerOf is the holder of a stack's unexpired lease, as last read or written. */
  ownerOf(stack: string): StackOwner | undefined {
    const now = this.#options.clock.now();
    const ours = this.#held.get(stack);
    if (ours && ours.expiresAt > now) {
      return {
        holder: this.#options.holder,
        token: ours.token,
        expiresAt: new Date(ours.expiresAt).toISOString(),
      };
    }
    const lease = this.#leases.get(stack);
    if (!lease || lease.expiresAt <= now || lease.holder === this.#options.holder) return undefined;
    return {
      holder: lease.holder,
      token: lease.token,
      expiresAt: new Date(lease.expiresAt).toISOString(),
    };
  }

  /**
   * round writes the heartbeat, reads the table and renews, releases and claims stacks so this
   * replica holds at most ceil(stacks / live replicas). AWS errors propagate; a write refused
   * by its condition only means another replica was faster.
   */
  async round(stacks: string[], busy: Set<string>): Promise<void> {
    const { clock, ttlMs, holder } = this.#options;
    const now = clock.now();
    await this.#send(
      new PutItemCommand({
        TableName: this.#options.table,
        Item: {
          name: { S: this.#key('replica', holder) },
          holder: { S: holder },
          expiresAt: { N: String(now + ttlMs) },
        },
      }),
      'write heartbeat',
    );
    await this.#scan();
    this.#known = true;
    const plan = assign({
      me: holder,
      now,
      stacks,
      replicas: this.#replicas,
      leases: this.#leases,
      held: new Map([...this.#held].map(([stack, lease]) => [stack, lease.token])),
      busy,
    });
    for (const stack of this.#held.keys()) {
      if (!plan.renew.includes(stack) && !plan.release.includes(stack)) this.#drop(stack, 'lost');
    }
    await Promise.all([
      ...plan.renew.map((stack) => this.#renew(stack, now + ttlMs)),
      ...plan.release.map((stack) => this.#release(stack)),
      ...plan.claim.map((stack) => this.#claim(stack, now + ttlMs)),
    ]);
  }

  /** releaseAll gives up every stack (expiry 0) and the heartbeat, so others take over at once. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.#held.keys()].map((stack) => this.#release(stack)));
    await this.#send(
      new PutItemCommand({
        TableName: this.#options.table,
        Item: {
          name: { S: this.#key('replica', this.#options.holder) },
          holder: { S: this.#options.holder },
          expiresAt: { N: '0' },
        },
      }),
      'clear heartbeat',
    );
  }

  /** checkFence throws LeaseLostError unless the stack's lease is ours, with our token, unexpired. */
  async checkFence(stack: string): Promise<void> {
    const ours = this.#held.get(stack);
    const now = this.#options.clock.now();
    if (!ours || ours.expiresAt <= now) {
      throw new LeaseLostError(`stack ${stack} is not held by ${this.#options.holder}`);
    }
    const output = await this.#send<GetItemCommandOutput>(
      new GetItemCommand({
        TableName: this.#options.table,
        Key: { name: { S: this.#key('stack', stack) } },
        ConsistentRead: true,
      }),
      `read lease of ${stack}`,
    );
    const current = output.Item ? leaseFromItem(output.Item as Attributes) : undefined;
    if (
      !current ||
      current.holder !== this.#options.holder ||
      current.token !== ours.token ||
      current.expiresAt <= this.#options.clock.now()
    ) {
      this.#drop(stack, 'fence failed');
      throw new LeaseLostError(
        `lease of stack ${stack} lost: token ${current?.token ?? 'none'} held by ${current?.holder ?? 'nobody'} until ${current?.expiresAt ?? 0}, ours was ${ours.token}`,
      );
    }
  }

  /** drop forgets a stack (a fence failed, the lease lapsed or was taken). */
  #drop(stack: string, reason: string): void {
    if (this.#held.delete(stack)) {
      this.#options.log.warn({ stack, reason }, 'lost stack lease');
    }
  }

  async #scan(): Promise<void> {
    const prefix = `${this.#options.name}/`;
    const leases = new Map<string, StackLeaseItem>();
    const replicas = new Map<string, number>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#send<ScanCommandOutput>(
        new ScanCommand({
          TableName: this.#options.table,
          ConsistentRead: true,
          FilterExpression: 'begins_with(#name, :prefix)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':prefix': { S: prefix } },
          ...(start ? { ExclusiveStartKey: start as never } : {}),
        }),
        'scan leases',
      );
      for (const raw of page.Items ?? []) {
        const item = raw as Attributes;
        const name = item.name?.S ?? '';
        const rest = name.slice(prefix.length);
        if (rest.startsWith('stack/')) leases.set(rest.slice(6), leaseFromItem(item));
        else if (rest.startsWith('replica/')) {
          replicas.set(rest.slice(8), Number(item.expiresAt?.N ?? 0));
        }
      }
      start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (start);
    this.#leases = leases;
    this.#replicas = replicas;
  }

  /** #conditional sends a conditional write; false when its condition failed. */
  async #conditional(command: PutItemCommand | UpdateItemCommand, what: string): Promise<boolean> {
    try {
      await this.#options.client.send(command as never);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw new Error(`cannot ${what}: ${errorCode(err) ?? err}`, { cause: err });
    }
  }

  /** #setExpiry moves our lease of a stack to expiresAt (0 releases it) while it is still ours. */
  #setExpiry(stack: string, token: number, expiresAt: number): UpdateItemCommand {
    const { table, holder } = this.#options;
    return setExpiry(table, this.#key('stack', stack), { holder, token }, expiresAt);
  }

  async #renew(stack: string, expiresAt: number): Promise<void> {
    const ours = this.#held.get(stack);
    if (!ours) return;
    const done = await this.#conditional(
      this.#setExpiry(stack, ours.token, expiresAt),
      `renew lease of ${stack}`,
    );
    if (done) this.#held.set(stack, { token: ours.token, expiresAt });
    else this.#drop(stack, 'renewal refused: another replica took it');
  }

  async #release(stack: string): Promise<void> {
    const ours = this.#held.get(stack);
    if (!ours) return;
    this.#held.delete(stack);
    const done = await this.#conditional(
      this.#setExpiry(stack, ours.token, 0),
      `release lease of ${stack}`,
    );
    if (done) this.#options.log.info({ stack, token: ours.token }, 'released stack lease');
  }

  async #claim(stack: string, expiresAt: number): Promise<void> {
    const current = this.#leases.get(stack);
    const token = (current?.token ?? 0) + 1;
    const next = { holder: this.#options.holder, token, expiresAt };
    const done = await this.#conditional(
      takeLease(this.#options.table, this.#key('stack', stack), next, current),
      `claim lease of ${stack}`,
    );
    if (!done) return;
    this.#held.set(stack, { token, expiresAt });
    this.#leases.set(stack, next);
    this.#options.log.info({ stack, token }, 'acquired stack lease');
  }

  async #send<T>(command: { input: unknown }, what: string): Promise<T> {
    try {
      return (await this.#options.client.send(command as never)) as T;
    } catch (err) {
      throw new Error(`cannot ${what}: ${errorCode(err) ?? err}`, { cause: err });
    }
  }
}
