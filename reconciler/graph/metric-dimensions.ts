import type { AlarmDimensions } from '../resources/metric-alarm.ts';
import { ref } from '../resources/types.ts';
import { addresses } from './addresses.ts';

/** dimensions: the CloudWatch metric dimensions of a stack's parts, as Refs to the resources that carry them. */
export const dimensions = {
  targetGroup: (service: string): AlarmDimensions => ({
    LoadBalancer: ref(addresses.loadBalancer(), 'metricDimension'),
    TargetGroup: ref(addresses.targetGroup(service), 'metricDimension'),
  }),
  service: (service: string): AlarmDimensions => ({
    ClusterName: ref(addresses.ecsCluster(), 'name'),
    ServiceName: ref(addresses.ecsService(service), 'name'),
  }),
  database: (): AlarmDimensions => ({
    DBInstanceIdentifier: ref(addresses.dbInstance(), 'identifier'),
  }),
};
