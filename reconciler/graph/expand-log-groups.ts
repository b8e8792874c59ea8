import type { LogGroupProperties } from '../resources/log-group.ts';
import type { DesiredResource } from '../resources/types.ts';
import type { ResolvedStack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';

/** expandLogGroups returns one `log-group.<name>` per entry of the stack's `logGroups`. */
export function expandLogGroups(stack: ResolvedStack): DesiredResource[] {
  return (stack.logGroups ?? []).map((logGroup) => {
    const properties: LogGroupProperties = {
      name: logGroup.name,
      retentionDays: logGroup.retentionDays,
    };
    if (logGroup.kmsKeyArn) properties.kmsKeyArn = logGroup.kmsKeyArn;
    return desired(stack, addresses.logGroup(logGroup.name), properties);
  });
}
