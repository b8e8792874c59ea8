import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('security-group: not implemented yet');
}

/** securityGroupHandler manages security-group resources. */
export const securityGroupHandler: ResourceHandler = {
  kind: 'security-group',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
