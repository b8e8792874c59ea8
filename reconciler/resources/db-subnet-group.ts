import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('db-subnet-group: not implemented yet');
}

/** dbSubnetGroupHandler manages db-subnet-group resources. */
export const dbSubnetGroupHandler: ResourceHandler = {
  kind: 'db-subnet-group',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
