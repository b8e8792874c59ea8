import type { Logger } from '../../reconciler/resources/types.ts';

/** LogRecord is one call captured by a MemoryLogger. */
export interface LogRecord {
  level: 'info' | 'warn' | 'error' | 'debug';
  msg: string | undefined;
  fields: Record<string, unknown>;
}

/** memoryLogger is a Logger for tests that keeps every record (child bindings merged in). */
export function memoryLogger(
  records: LogRecord[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { records: LogRecord[] } {
  const at =
    (level: LogRecord['level']) =>
    (obj: object, msg?: string): void => {
      records.push({ level, msg, fields: { ...bindings, ...obj } });
    };
  return {
    records,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: (more: object) => memoryLogger(records, { ...bindings, ...more }),
  };
}
