import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('log-group: not implemented yet');
}

/** logGroupHandler manages log-group resources. */
export const logGroupHandler: ResourceHandler = {
  kind: 'log-group',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
