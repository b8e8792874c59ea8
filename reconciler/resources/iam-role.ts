import type { ResourceHandler } from './types.ts';

function notImplemented(): never {
  throw new Error('iam-role: not implemented yet');
}

/** iamRoleHandler manages iam-role resources. */
export const iamRoleHandler: ResourceHandler = {
  kind: 'iam-role',
  fields: {},
  observeAll: async () => notImplemented(),
  diff: () => notImplemented(),
  create: async () => notImplemented(),
  update: async () => notImplemented(),
  delete: async () => notImplemented(),
};
