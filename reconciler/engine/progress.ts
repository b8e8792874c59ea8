import type { Action } from '../plan/types.ts';

/** Step is what one operation does to AWS: a replace is a `delete` step then a `create` step. */
export type Step = 'create' | 'update' | 'delete' | 'untag';

/**
 * ProgressEvent reports one operation of an apply: `start`, then `finish` or `fail`; `skip` when
 * it never starts (a dependency failed, or the apply was stopped).
 */
export interface ProgressEvent {
  type: 'start' | 'finish' | 'fail' | 'skip';
  stack: string;
  address: string;
  /** The planned action of the resource (a replace shows on both of its steps). */
  action: Action;
  step: Step;
  /** Physical id: the deleted one, or the created / updated one on finish. */
  id?: string;
  elapsedMs?: number;
  /** On finish: AWS still reports the resource as pending (not waited on). */
  pending?: boolean;
  /** On fail: the error message; on skip: why. */
  message?: string;
}

const STARTED: Record<Step, string> = {
  create: 'creating...',
  update: 'modifying...',
  delete: 'destroying...',
  untag: 'untagging (deletionPolicy retain)...',
};
const FINISHED: Record<Step, string> = {
  create: 'created',
  update: 'modified',
  delete: 'destroyed',
  untag: 'untagged, left in AWS',
};

/** formatElapsed prints milliseconds as `1.2s`, or `2m3s` from a minute on. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}

/**
 * formatProgress renders an event as one line, Terraform style:
 * `subnet.private-a: creating...`, `subnet.private-a: created [id=subnet-0abc] (1.2s)`.
 * With `withStack`, the address is prefixed by its stack (`shop/subnet.private-a`).
 */
export function formatProgress(
  event: ProgressEvent,
  options: { withStack?: boolean } = {},
): string {
  const who = options.withStack ? `${event.stack}/${event.address}` : event.address;
  const id = event.id ? ` [id=${event.id}]` : '';
  const elapsed = event.elapsedMs === undefined ? '' : ` (${formatElapsed(event.elapsedMs)})`;
  switch (event.type) {
    case 'start':
      return `${who}: ${STARTED[event.step]}${event.step === 'delete' || event.step === 'untag' ? id : ''}`;
    case 'finish':
      return `${who}: ${FINISHED[event.step]}${event.step === 'delete' ? '' : id}${elapsed}${event.pending ? ', still pending in AWS' : ''}`;
    case 'fail':
      return `${who}: ${event.step} failed${elapsed}: ${event.message ?? 'unknown error'}`;
    default:
      return `${who}: skipped (${event.message ?? 'not started'})`;
  }
}
