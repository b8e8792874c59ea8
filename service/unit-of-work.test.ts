import assert from 'node:assert';
import { test } from 'node:test';
import { RequestContext } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Request, RequestHandler, Response } from 'express';
import { LogEventEntity } from './entities/log-event.ts';
import { withUnitOfWork } from './unit-of-work.ts';

test('withUnitOfWork gives each request its own EntityManager fork, and only wrapped handlers', async () => {
  const orm = await MikroORM.init({
    entities: [LogEventEntity],
    dbName: 'unit_of_work_test',
    connect: false,
    allowGlobalContext: false,
  });
  try {
    const seen: unknown[] = [];
    const handler: RequestHandler = async () => {
      await Promise.resolve();
      seen.push(RequestContext.getEntityManager());
    };
    const wrapped = withUnitOfWork(orm, handler);
    const call = (h: RequestHandler) =>
      h({} as Request, {} as Response, () => {}) as unknown as Promise<void>;
    await Promise.all([call(wrapped), call(wrapped)]);
    await call(handler);
    const [first, second, unwrapped] = seen;
    assert.deepStrictEqual(
      {
        forked: first !== undefined && second !== undefined,
        distinct: first !== second,
        notGlobal: first !== orm.em && second !== orm.em,
        unwrapped,
      },
      { forked: true, distinct: true, notGlobal: true, unwrapped: undefined },
    );
  } finally {
    await orm.close(true);
  }
});
