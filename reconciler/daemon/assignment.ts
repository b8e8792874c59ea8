import { createHash } from 'node:crypto';

/** StackLeaseItem is one stack's lease as read from the table. */
export interface StackLeaseItem {
  holder: string;
  /** token increments on each acquisition: a renewal or fence with an older token fails. */
  token: number;
  expiresAt: number;
}

/** AssignmentInput is one replica's view of the table at one instant. */
export interface AssignmentInput {
  me: string;
  now: number;
  /** stacks are the stack names of the specs. */
  stacks: string[];
  /** replicas maps each replica id to its heartbeat's expiry; expired ones are dead. */
  replicas: Map<string, number>;
  leases: Map<string, StackLeaseItem>;
  /** held maps the stacks this replica acquired to their token. */
  held: Map<string, number>;
  /** busy are stacks with a run in flight here: released last when giving stacks away. */
  busy: Set<string>;
}

/** Assignment is what a replica does in one round. */
export interface Assignment {
  /** share is ceil(stacks / live replicas): the most stacks one replica holds. */
  share: number;
  live: string[];
  renew: string[];
  release: string[];
  /** claim are free or expired stacks, in this replica's order of preference. */
  claim: string[];
}

/** score is the rendezvous weight of a stack for a replica: each replica prefers other stacks. */
export function score(replica: string, stack: string): string {
  return createHash('sha256').update(`${replica}\0${stack}`).digest('hex');
}

function byScore(replica: string): (a: string, b: string) => number {
  return (a, b) => {
    const sa = score(replica, a);
    const sb = score(replica, b);
    return sa < sb ? 1 : sa > sb ? -1 : 0;
  };
}

/**
 * assign decides one round: renew the stacks still ours (same holder and token, unexpired),
 * release those above the fair share (so a replica that joined gets some), and claim free or
 * expired stacks up to the share, preferring the stacks with the highest rendezvous score so
 * replicas racing for free stacks mostly want different ones. The table's conditional writes
 * settle the races that remain; assign only decides what to try.
 */
export function assign(input: AssignmentInput): Assignment {
  const { me, now } = input;
  const live = [...input.replicas]
    .filter(([id, expiresAt]) => id === me || expiresAt > now)
    .map(([id]) => id);
  if (!live.includes(me)) live.push(me);
  live.sort();
  const stacks = [...new Set(input.stacks)];
  const share = Math.ceil(stacks.length / live.length);
  const ours = stacks.filter((stack) => {
    const lease = input.leases.get(stack);
    const token = input.held.get(stack);
    return (
      lease !== undefined && lease.holder === me && lease.token === token && lease.expiresAt > now
    );
  });
  // give away idle stacks first, and among them the ones we score lowest
  const keep = [...ours]
    .sort((a, b) => Number(input.busy.has(b)) - Number(input.busy.has(a)) || byScore(me)(a, b))
    .slice(0, share);
  const release = ours.filter((stack) => !keep.includes(stack));
  const free = stacks.filter((stack) => {
    const lease = input.leases.get(stack);
    return lease === undefined || lease.expiresAt <= now;
  });
  const claim = free.sort(byScore(me)).slice(0, Math.max(0, share - keep.length));
  return { share, live, renew: keep.sort(), release: release.sort(), claim };
}
