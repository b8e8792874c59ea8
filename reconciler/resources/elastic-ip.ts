import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('elastic-ip: not implemented yet');
}

/** elasticIpHandler manages elastic-ip resources. */
export const elasticIpHandler: ResourceHandler = {
  kind: 'elastic-ip',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
