import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('vpc: not implemented yet');
}

/** vpcHandler manages vpc resources. */
export const vpcHandler: ResourceHandler = {
  kind: 'vpc',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
