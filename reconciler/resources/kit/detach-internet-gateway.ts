import { DetachInternetGatewayCommand } from '@aws-sdk/client-ec2';
import { errorCode } from '../../aws/errors.ts';
import type { ResourceContext } from '../types.ts';
import { isGone } from './errors.ts';

/**
 * detachInternetGateway detaches a gateway from a VPC (the gateway's own move or delete, and a
 * VPC delete, which AWS refuses while a gateway is attached). Already detached, or either of
 * them gone, is success: the goal is reached.
 */
export async function detachInternetGateway(
  ctx: ResourceContext,
  gatewayId: string,
  vpcId: string,
): Promise<void> {
  try {
    await ctx.clients.ec2.send(
      new DetachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId }),
    );
  } catch (err) {
    const gone = ['InvalidInternetGatewayID.NotFound', 'InvalidVpcID.NotFound'];
    if (errorCode(err) !== 'Gateway.NotAttached' && !isGone(err, gone)) throw err;
  }
}
