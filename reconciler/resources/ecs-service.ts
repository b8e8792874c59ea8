import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('ecs-service: not implemented yet');
}

/** ecsServiceHandler manages ecs-service resources. */
export const ecsServiceHandler: ResourceHandler = {
  kind: 'ecs-service',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
