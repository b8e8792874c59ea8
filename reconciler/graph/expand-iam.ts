import type { IamRoleProperties, PolicyDocument } from '../resources/iam-role.ts';
import { shortName } from '../resources/kit/names.ts';
import type { DesiredResource } from '../resources/types.ts';
import { type Ref, ref } from '../resources/types.ts';
import type { ResolvedStack, SecretRef, Service, Stack } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';

/** EXECUTION_POLICY_ARN is the AWS managed policy that lets ECS pull images and write container logs. */
export const EXECUTION_POLICY_ARN =
  'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

/** READ_SECRETS_POLICY names the execution role's inline policy for the services' secrets. */
export const READ_SECRETS_POLICY = 'read-secrets';

/** MAX_ROLE_NAME is the IAM limit on role names. */
const MAX_ROLE_NAME = 64;

/** ECS_TASKS_TRUST lets ECS tasks assume a role. */
export const ECS_TASKS_TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
};

/** rolePath is the IAM path of every role of a stack. */
export function rolePath(stack: string): string {
  return `/reconciler/${stack}/`;
}

/** partitionOf returns the ARN partition of a region (aws, aws-cn, aws-us-gov). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.includes('-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * ssmParameterArn turns an SSM parameter name into an ARN. The account id is not known when
 * planning, so the ARN names any account (`*`); a parameter given as an ARN is kept as is.
 */
export function ssmParameterArn(parameter: string, region: string): string {
  if (parameter.startsWith('arn:')) return parameter;
  return `arn:${partitionOf(region)}:ssm:${region}:*:parameter${parameter}`;
}

/** SecretReads collects what the services' secrets need to read at task start. */
interface SecretReads {
  secretArns: Set<string>;
  parameterArns: Set<string>;
  databaseSecret: boolean;
}

function collectSecretReads(stack: Stack, services: readonly Service[]): SecretReads {
  const reads: SecretReads = {
    secretArns: new Set(),
    parameterArns: new Set(),
    databaseSecret: false,
  };
  for (const service of services) {
    for (const secret of Object.values(service.secrets ?? {}) as SecretRef[]) {
      if ('fromDatabase' in secret) {
        // with IAM database authentication the services never see the master secret
        reads.databaseSecret = stack.database !== undefined && !stack.database.iamAuthentication;
      } else if ('secretsManagerArn' in secret) reads.secretArns.add(secret.secretsManagerArn);
      else reads.parameterArns.add(ssmParameterArn(secret.ssmParameter, stack.region));
    }
  }
  return reads;
}

/**
 * readSecretsPolicy grants exactly the reads the services' secrets need: GetSecretValue on the
 * referenced secrets and the database's RDS-managed master secret (a Ref, known after the
 * database exists), GetParameters on the referenced SSM parameters. Undefined when there are none.
 */
export function readSecretsPolicy(
  stack: Stack,
  services: readonly Service[],
): PolicyDocument | undefined {
  const reads = collectSecretReads(stack, services);
  const secretResources: Array<string | Ref> = [...reads.secretArns].sort();
  if (reads.databaseSecret)
    secretResources.push(ref(addresses.dbInstance(), 'masterUserSecretArn'));
  const statements: PolicyDocument[] = [];
  if (secretResources.length > 0) {
    statements.push({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: secretResources,
    });
  }
  if (reads.parameterArns.size > 0) {
    statements.push({
      Sid: 'ReadParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: [...reads.parameterArns].sort(),
    });
  }
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
}

/** CONNECT_DATABASE_POLICY is the task roles' inline policy of IAM database authentication. */
export const CONNECT_DATABASE_POLICY = 'connect-database';

/**
 * databaseConnectPolicy lets a task sign IAM auth tokens for the services' database user, and
 * no other user: rds-db:connect on `<dbUserArnBase>/<serviceUser>` (the instance's DbiResourceId,
 * by Ref), and read the database's master secret (that one secret, by Ref), which the service
 * uses once at start to create its user and migrate. Undefined without a database or with IAM
 * database authentication off.
 */
export function databaseConnectPolicy(stack: Stack): PolicyDocument | undefined {
  const database = stack.database;
  if (!database?.iamAuthentication) return undefined;
  const user = database.serviceUser ?? 'logs_service';
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ConnectAsServiceUser',
        Effect: 'Allow',
        Action: 'rds-db:connect',
        Resource: ref(addresses.dbInstance(), 'dbUserArnBase', `/${user}`),
      },
      {
        Sid: 'ReadMasterSecretAtSetup',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: ref(addresses.dbInstance(), 'masterUserSecretArn'),
      },
    ],
  };
}

/** executionRoleName is the name of a stack's task execution role. */
export function executionRoleName(stack: string): string {
  return shortName(`${stack}-execution`, MAX_ROLE_NAME);
}

/** taskRoleName is the name of a service's task role. */
export function taskRoleName(stack: string, service: string): string {
  return shortName(`${stack}-task-${service}`, MAX_ROLE_NAME);
}

/**
 * expandIamRoles returns, when the stack has services, the shared task execution role
 * (`iam-role.execution`: pulls images, writes logs, reads the services' secrets) and one task
 * role per service (`iam-role.task-<service>`, no permissions until the spec grants some).
 */
export function expandIamRoles(stack: ResolvedStack): DesiredResource[] {
  const services = (stack.services ?? []) as Service[];
  if (services.length === 0) return [];
  const inlinePolicies: Record<string, PolicyDocument> = {};
  const readSecrets = readSecretsPolicy(stack, services);
  if (readSecrets) inlinePolicies[READ_SECRETS_POLICY] = readSecrets;
  const execution: IamRoleProperties = {
    roleName: executionRoleName(stack.name),
    path: rolePath(stack.name),
    assumeRolePolicy: ECS_TASKS_TRUST,
    managedPolicyArns: [EXECUTION_POLICY_ARN],
    inlinePolicies,
    description: `ECS task execution role of stack ${stack.name}`,
    maxSessionDuration: 3600,
  };
  const connect = databaseConnectPolicy(stack);
  const taskRoles = services.map((service) => {
    const properties: IamRoleProperties = {
      roleName: taskRoleName(stack.name, service.name),
      path: rolePath(stack.name),
      assumeRolePolicy: ECS_TASKS_TRUST,
      managedPolicyArns: [],
      inlinePolicies: connect ? { [CONNECT_DATABASE_POLICY]: connect } : {},
      description: `ECS task role of service ${service.name} of stack ${stack.name}`,
      maxSessionDuration: 3600,
    };
    return desired(stack, addresses.taskRole(service.name), properties);
  });
  return [desired(stack, addresses.executionRole(), execution), ...taskRoles];
}
