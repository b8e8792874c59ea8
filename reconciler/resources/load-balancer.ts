import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('load-balancer: not implemented yet');
}

/** loadBalancerHandler manages load-balancer resources. */
export const loadBalancerHandler: ResourceHandler = {
  kind: 'load-balancer',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
