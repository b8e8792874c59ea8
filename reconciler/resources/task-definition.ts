import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('task-definition: not implemented yet');
}

/** taskDefinitionHandler manages task-definition resources. */
export const taskDefinitionHandler: ResourceHandler = {
  kind: 'task-definition',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
