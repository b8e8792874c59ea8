import type { LogGroupProperties } from '../resources/log-group.ts';
import type { DesiredResource } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';

/** DEFAULT_RETENTION_DAYS is the schema default, applied here too so an unvalidated spec plans the same. */
export const DEFAULT_RETENTION_DAYS = 30;

/** expandLogGroups returns one `log-group.<name>` per entry of the stack's `logGroups`. */
export function expandLogGroups(stack: Stack): DesiredResource[] {
  return (stack.logGroups ?? []).map((logGroup) => {
    const properties: LogGroupProperties = {
      name: logGroup.name,
      retentionDays: logGroup.retentionDays ?? DEFAULT_RETENTION_DAYS,
    };
    if (logGroup.kmsKeyArn) properties.kmsKeyArn = logGroup.kmsKeyArn;
    return desired(stack, addresses.logGroup(logGroup.name), properties);
  });
}
