import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('target-group: not implemented yet');
}

/** targetGroupHandler manages target-group resources. */
export const targetGroupHandler: ResourceHandler = {
  kind: 'target-group',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
