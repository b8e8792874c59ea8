import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('nat-gateway: not implemented yet');
}

/** natGatewayHandler manages nat-gateway resources. */
export const natGatewayHandler: ResourceHandler = {
  kind: 'nat-gateway',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
