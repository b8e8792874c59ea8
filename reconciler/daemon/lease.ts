import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { errorCode, isNotFound } from '../aws/errors.ts';
import type { Logger } from '../resources/types.ts';
import type { Clock } from './clock.ts';

/** LeaseState is what this replica knows about the lease. */
export interface LeaseState {
  /** known is false until the table has been read once. */
  known: boolean;
  held: boolean;
  holder: string | undefined;
  /** token is the fencing token of the current holder: incremented on each acquisition. */
  token: number | undefined;
  expiresAt: number | undefined;
}

/**
 * unchangedSince is the condition of a write that takes a lease item read as `read` (or absent):
 * it fails if anyone wrote the item since, so of two replicas racing for it one wins.
 */
export function unchangedSince(
  read: LeaseItem | undefined,
): Pick<
  PutItemCommandInput,
  'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
> {
  return read
    ? {
        ConditionExpression: '#token = :token AND #holder = :holder AND #exp = :exp',
        ExpressionAttributeNames: { '#token': 'token', '#holder': 'holder', '#exp': 'expiresAt' },
        ExpressionAttributeValues: {
          ':token': { N: String(read.token) },
          ':holder': { S: read.holder },
          ':exp': { N: String(read.expiresAt) },
        },
      }
    : {
        ConditionExpression: 'attribute_not_exists(#name)',
        ExpressionAttributeNames: { '#name': 'name' },
      };
}

type Attributes = Record<string, { S?: string; N?: string }>;

/** leaseFromItem is a lease item's holder, token and expiry as stored. */
export function leaseFromItem(item: Attributes): LeaseItem {
  return {
    holder: item.holder?.S ?? '',
    token: Number(item.token?.N ?? 0),
    expiresAt: Number(item.expiresAt?.N ?? 0),
  };
}

/** takeLease writes `next` as the lease item `name`, provided it is unchanged since `read`. */
export function takeLease(
  table: string,
  name: string,
  next: LeaseItem,
  read: LeaseItem | undefined,
): PutItemCommand {
  return new PutItemCommand({
    TableName: table,
    Item: {
      name: { S: name },
      holder: { S: next.holder },
      token: { N: String(next.token) },
      expiresAt: { N: String(next.expiresAt) },
    },
    // the item must be exactly as read: of two replicas taking it, one wins
    ...unchangedSince(read),
  });
}

/**
 * setExpiry moves a held lease's expiry (0 releases it), provided holder and token are still
 * the ones given: a lease taken over in between is left alone.
 */
export function setExpiry(
  table: string,
  name: string,
  held: { holder: string; token: number },
  expiresAt: number,
): UpdateItemCommand {
  return new UpdateItemCommand({
    TableName: table,
    Key: { name: { S: name } },
    UpdateExpression: 'SET #exp = :exp',
    ConditionExpression: '#holder = :holder AND #token = :token',
    ExpressionAttributeNames: { '#exp': 'expiresAt', '#holder': 'holder', '#token': 'token' },
    ExpressionAttributeValues: {
      ':exp': { N: String(expiresAt) },
      ':holder': { S: held.holder },
      ':token': { N: String(held.token) },
    },
  });
}

/** LeaseLostError is thrown by checkFence when this replica no longer holds the lease. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

/** DynamoLeaseOptions configures a DynamoLease. */
export interface DynamoLeaseOptions {
  client: DynamoDBClient;
  table: string;
  /** name is the lease's key in the table: replicas that share it exclude each other. */
  name: string;
  /** holder identifies this replica (host, pid and a random suffix). */
  holder: string;
  ttlMs: number;
  clock: Clock;
  log: Logger;
}

/** LeaseItem is a lease as stored: its holder, fencing token and expiry (ms since the epoch). */
export interface LeaseItem {
  holder: string;
  token: number;
  expiresAt: number;
}

/**
 * DynamoLease is a lease in one DynamoDB item `{ name, holder, token, expiresAt }` changed only
 * by conditional writes. Acquiring takes an expired (or absent) lease and increments the fencing
 * token; renewing extends expiresAt only while holder and token are still ours. checkFence is a
 * consistent read that throws unless the lease is ours, with our token, unexpired: the engine
 * calls it before each operation, so a replica that lost the lease stops applying at once.
 * Expiry compares wall clocks: replicas' clocks must agree to well within the TTL.
 */
export class DynamoLease {
  readonly #options: DynamoLeaseOptions;
  #state: LeaseState = {
    known: false,
    held: false,
    holder: undefined,
    token: undefined,
    expiresAt: undefined,
  };

  constructor(options: DynamoLeaseOptions) {
    if (!(options.ttlMs >= 1_000)) {
      throw new Error(`lease ttl must be at least 1 s, got ${options.ttlMs} ms`);
    }
    this.#options = options;
  }

  /** holderId is this replica's identity in the lease table. */
  get holderId(): string {
    return this.#options.holder;
  }

  /** state returns what is known; held turns false by itself once expiresAt passes unrenewed. */
  state(): LeaseState {
    const held =
      this.#state.held &&
      this.#state.expiresAt !== undefined &&
      this.#options.clock.now() < this.#state.expiresAt;
    return { ...this.#state, held };
  }

  /** ensureTable creates the lease table (on-demand billing, key `name`) if it does not exist. */
  async ensureTable(): Promise<void> {
    const { client, table } = this.#options;
    try {
      await client.send(new DescribeTableCommand({ TableName: table }));
      return;
    } catch (err) {
      if (!isNotFound(err)) {
        throw new Error(`cannot describe lease table ${table}: ${errorCode(err) ?? err}`, {
          cause: err,
        });
      }
    }
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      this.#options.log.info({ table }, 'created lease table');
    } catch (err) {
      if (errorCode(err) !== 'ResourceInUseException') {
        throw new Error(`cannot create lease table ${table}: ${errorCode(err) ?? err}`, {
          cause: err,
        });
      }
    }
    for (let attempt = 0; attempt < 60; attempt++) {
      const described = await client.send(new DescribeTableCommand({ TableName: table }));
      if (described.Table?.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    throw new Error(`lease table ${table} did not become ACTIVE within 60 s`);
  }

  /**
   * tryAcquire renews the lease if ours, or takes it if absent or expired. It returns whether
   * this replica holds the lease afterwards; AWS errors propagate (state stays as it was).
   */
  async tryAcquire(): Promise<boolean> {
    if (this.state().held) {
      if (await this.renew()) return true;
    }
    const now = this.#options.clock.now();
    const current = await this.#read();
    if (current && current.holder !== this.#options.holder && current.expiresAt > now) {
      this.#state = { known: true, held: false, ...current };
      return false;
    }
    const next: LeaseItem = {
      holder: this.#options.holder,
      token: (current?.token ?? 0) + 1,
      expiresAt: now + this.#options.ttlMs,
    };
    try {
      await this.#options.client.send(
        takeLease(this.#options.table, this.#options.name, next, current),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        this.#state = { ...this.#state, known: true, held: false };
        return false;
      }
      throw new Error(`cannot acquire lease ${this.#options.name}: ${errorCode(err) ?? err}`, {
        cause: err,
      });
    }
    this.#state = { known: true, held: true, ...next };
    this.#options.log.info(
      { lease: this.#options.name, holder: next.holder, token: next.token },
      'acquired lease',
    );
    return true;
  }

  /** renew extends the lease while holder and token are still ours; false means it was lost. */
  async renew(): Promise<boolean> {
    const { holder, token } = this.#state;
    if (!this.#state.held || token === undefined) return false;
    const expiresAt = this.#options.clock.now() + this.#options.ttlMs;
    try {
      await this.#options.client.send(
        setExpiry(
          this.#options.table,
          this.#options.name,
          { holder: String(holder), token },
          expiresAt,
        ),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        this.#lost('renewal refused: another replica took the lease');
        return false;
      }
      throw new Error(`cannot renew lease ${this.#options.name}: ${errorCode(err) ?? err}`, {
        cause: err,
      });
    }
    this.#state = { ...this.#state, expiresAt };
    return true;
  }

  /** release gives the lease up (expiresAt 0, token kept) so another replica takes over at once. */
  async release(): Promise<void> {
    const { token } = this.#state;
    if (!this.#state.held || token === undefined) return;
    this.#state = { ...this.#state, held: false };
    try {
      await this.#options.client.send(
        setExpiry(
          this.#options.table,
          this.#options.name,
          { holder: this.#options.holder, token },
          0,
        ),
      );
      this.#state = { ...this.#state, expiresAt: 0 };
      this.#options.log.info({ lease: this.#options.name, token }, 'released lease');
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return;
      throw new Error(`cannot release lease ${this.#options.name}: ${errorCode(err) ?? err}`, {
        cause: err,
      });
    }
  }

  /**
   * checkFence reads the lease with a consistent read and throws LeaseLostError unless it is
   * ours, with the token we acquired, and unexpired. Called before every apply operation.
   */
  async checkFence(): Promise<void> {
    const { token } = this.#state;
    if (!this.state().held || token === undefined) {
      throw new LeaseLostError(
        `lease ${this.#options.name} is not held by ${this.#options.holder}`,
      );
    }
    const current = await this.#read();
    const now = this.#options.clock.now();
    if (!current || current.holder !== this.#options.holder || current.token !== token) {
      this.#lost(`fencing token ${token} is stale`);
      throw new LeaseLostError(
        `lease ${this.#options.name} was taken over: token ${current?.token ?? 'none'} held by ${current?.holder ?? 'nobody'}, ours was ${token}`,
      );
    }
    if (current.expiresAt <= now) {
      this.#lost('lease expired');
      throw new LeaseLostError(
        `lease ${this.#options.name} expired at ${new Date(current.expiresAt).toISOString()}`,
      );
    }
  }

  #lost(reason: string): void {
    if (this.#state.held) {
      this.#options.log.warn(
        { lease: this.#options.name, token: this.#state.token, reason },
        'lost lease',
      );
    }
    this.#state = { ...this.#state, held: false };
  }

  async #read(): Promise<LeaseItem | undefined> {
    let item: Attributes | undefined;
    try {
      const output = await this.#options.client.send(
        new GetItemCommand({
          TableName: this.#options.table,
          Key: { name: { S: this.#options.name } },
          ConsistentRead: true,
        }),
      );
      item = output.Item as Attributes | undefined;
    } catch (err) {
      throw new Error(`cannot read lease ${this.#options.name}: ${errorCode(err) ?? err}`, {
        cause: err,
      });
    }
    return item ? leaseFromItem(item) : undefined;
  }
}

/** LeaseLoopOptions configures runLeaseLoop. */
export interface LeaseLoopOptions {
  lease: DynamoLease;
  clock: Clock;
  log: Logger;
  /** intervalMs between attempts: ttl/3, so a held lease is renewed twice before it can expire. */
  intervalMs: number;
  /** onChange is called whenever held flips. */
  onChange: (held: boolean) => void;
}

/**
 * runLeaseLoop tries to acquire or renew every intervalMs and reports changes of leadership.
 * The timer keeps running while an attempt hangs (a slow endpoint): a lease whose renewal did
 * not come back before its expiry is reported lost at the next tick, not when the call returns.
 * An AWS error keeps the previous state until the lease lapses by itself.
 */
export function runLeaseLoop(options: LeaseLoopOptions): { stop(): void; tick(): Promise<void> } {
  let held = false;
  let stopped = false;
  let attempt: Promise<void> | undefined;
  let timer: ReturnType<Clock['setTimer']> | undefined;
  const report = (): void => {
    const now = options.lease.state().held;
    if (now !== held && !stopped) {
      held = now;
      options.onChange(held);
    }
  };
  const tick = (): Promise<void> => {
    attempt ??= options.lease
      .tryAcquire()
      .then(
        () => undefined,
        (err: unknown) => options.log.warn({ err }, 'lease attempt failed'),
      )
      .finally(() => {
        attempt = undefined;
        report();
      });
    report();
    return attempt;
  };
  const loop = (): void => {
    if (stopped) return;
    timer = options.clock.setTimer(() => {
      void tick();
      loop();
    }, options.intervalMs);
  };
  loop();
  return {
    tick,
    stop() {
      stopped = true;
      if (timer) options.clock.clearTimer(timer);
    },
  };
}
