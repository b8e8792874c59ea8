import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('db-instance: not implemented yet');
}

/** dbInstanceHandler manages db-instance resources. */
export const dbInstanceHandler: ResourceHandler = {
  kind: 'db-instance',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
