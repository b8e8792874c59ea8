import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('internet-gateway: not implemented yet');
}

/** internetGatewayHandler manages internet-gateway resources. */
export const internetGatewayHandler: ResourceHandler = {
  kind: 'internet-gateway',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
