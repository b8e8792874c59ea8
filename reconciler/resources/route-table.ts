import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('route-table: not implemented yet');
}

/** routeTableHandler manages route-table resources. */
export const routeTableHandler: ResourceHandler = {
  kind: 'route-table',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
