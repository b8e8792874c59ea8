import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('listener: not implemented yet');
}

/** listenerHandler manages listener resources. */
export const listenerHandler: ResourceHandler = {
  kind: 'listener',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
