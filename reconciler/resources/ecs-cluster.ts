import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('ecs-cluster: not implemented yet');
}

/** ecsClusterHandler manages ecs-cluster resources. */
export const ecsClusterHandler: ResourceHandler = {
  kind: 'ecs-cluster',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
