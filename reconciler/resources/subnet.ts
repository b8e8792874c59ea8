import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('subnet: not implemented yet');
}

/** subnetHandler manages subnet resources. */
export const subnetHandler: ResourceHandler = {
  kind: 'subnet',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
