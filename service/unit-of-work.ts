/**
 * The per-request unit of work: a handler that works with entities runs inside its own
 * MikroORM RequestContext, so it gets a fresh EntityManager fork (identity map, change set)
 * that no other request shares. The fork is made only for the handlers wrapped here; the hot
 * paths run parameterised SQL on the pool and need no identity map, so they pay nothing for it.
 */
import { type MikroORM, RequestContext } from '@mikro-orm/core';
import type { RequestHandler } from 'express';

/** withUnitOfWork runs handler in a new RequestContext forked from the ORM's EntityManager. */
export function withUnitOfWork(orm: MikroORM, handler: RequestHandler): RequestHandler {
  return (req, res, next) => RequestContext.create(orm.em, () => handler(req, res, next));
}
