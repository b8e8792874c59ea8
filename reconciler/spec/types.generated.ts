/* Generated from schemas/stack.schema.json by `npm run gen:types`. Do not edit by hand. */

/**
 * An IPv4 CIDR block such as 10.0.0.0/16.
 */
export type Cidr = string;
/**
 * Where a secret value comes from. Never the value itself: the database's RDS-managed master secret, a Secrets Manager secret, or an SSM parameter.
 */
export type SecretRef =
  | {
      /**
       * A field of the stack database's RDS-managed master user secret.
       */
      fromDatabase: 'password' | 'username';
    }
  | {
      /**
       * ARN of a Secrets Manager secret.
       */
      secretsManagerArn: string;
      /**
       * Take one key of a JSON secret.
       */
      jsonKey?: string;
    }
  | {
      /**
       * Name (/path/name) or ARN of an SSM parameter.
       */
      ssmParameter: string;
    };
/**
 * Days CloudWatch keeps log events; one of the values AWS accepts.
 */
export type RetentionDays =
  | 1
  | 3
  | 5
  | 7
  | 14
  | 30
  | 60
  | 90
  | 120
  | 150
  | 180
  | 365
  | 400
  | 545
  | 731
  | 1096
  | 1827
  | 2192
  | 2557
  | 2922
  | 3288
  | 3653;

/**
 * A whole application stack on AWS, written at the level a person thinks in: a network, a load balancer, container services, a PostgreSQL database and log groups. The reconciler expands it into AWS resources and keeps them converged.
 */
export interface Stack {
  /**
   * Optional reference to this schema, for editors.
   */
  $schema?: string;
  /**
   * Stack name, unique per AWS account and region. It prefixes every AWS name the stack creates and is the value of the reconciler:stack tag. Lowercase letters, digits and hyphens, starting with a letter; at most 24 characters so that derived names (load balancer, target groups, roles) stay within AWS limits.
   */
  name: string;
  /**
   * Environment label (dev, staging, prod, ...), added to every resource as the tag `environment`.
   */
  environment?: string;
  /**
   * AWS region of the stack, e.g. us-west-2.
   */
  region: string;
  tags?: Tags;
  /**
   * What happens to the stack's resources when they are removed from the spec or the stack is destroyed: delete removes them; retain leaves them in place and only removes the reconciler's management tags. Stateful resources (the database) follow their own deletionPolicy.
   */
  deletionPolicy?: 'delete' | 'retain';
  /**
   * When true the daemon still observes and plans the stack and reports drift, but changes nothing.
   */
  paused?: boolean;
  network: Network;
  loadBalancer?: LoadBalancer;
  /**
   * Container services run on ECS in the private subnets.
   *
   * @maxItems 20
   */
  services?:
    | []
    | [Service]
    | [Service, Service]
    | [Service, Service, Service]
    | [Service, Service, Service, Service]
    | [Service, Service, Service, Service, Service]
    | [Service, Service, Service, Service, Service, Service]
    | [Service, Service, Service, Service, Service, Service, Service]
    | [Service, Service, Service, Service, Service, Service, Service, Service]
    | [Service, Service, Service, Service, Service, Service, Service, Service, Service]
    | [Service, Service, Service, Service, Service, Service, Service, Service, Service, Service]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ]
    | [
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
        Service,
      ];
  database?: Database;
  /**
   * CloudWatch log groups owned by the stack. Services send their container logs to one of them.
   *
   * @maxItems 50
   */
  logGroups?: LogGroup[];
}
/**
 * Tags added to every resource of the stack. Keys starting with aws: or reconciler: are reserved.
 */
export interface Tags {
  [k: string]: string;
}
/**
 * The VPC: public subnets (internet gateway) for the load balancer and NAT gateways, private subnets for services and the database, one of each per availability zone.
 */
export interface Network {
  /**
   * IPv4 CIDR block of the VPC, between /16 and /28. Changing it replaces the VPC and everything in it.
   */
  cidr: string;
  /**
   * Availability zones to spread subnets over, e.g. [us-west-2a, us-west-2b]. A load balancer and a database need at least two.
   *
   * @minItems 1
   * @maxItems 6
   */
  availabilityZones:
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string];
  /**
   * CIDR of the public subnet in each availability zone, in the same order as availabilityZones.
   *
   * @minItems 1
   * @maxItems 6
   */
  publicSubnets:
    | [Cidr]
    | [Cidr, Cidr]
    | [Cidr, Cidr, Cidr]
    | [Cidr, Cidr, Cidr, Cidr]
    | [Cidr, Cidr, Cidr, Cidr, Cidr]
    | [Cidr, Cidr, Cidr, Cidr, Cidr, Cidr];
  /**
   * CIDR of the private subnet in each availability zone, in the same order as availabilityZones.
   *
   * @minItems 1
   * @maxItems 6
   */
  privateSubnets:
    | [Cidr]
    | [Cidr, Cidr]
    | [Cidr, Cidr, Cidr]
    | [Cidr, Cidr, Cidr, Cidr]
    | [Cidr, Cidr, Cidr, Cidr, Cidr]
    | [Cidr, Cidr, Cidr, Cidr, Cidr, Cidr];
  /**
   * Outbound internet access for the private subnets: none, a single NAT gateway in the first zone (cheaper), or one per availability zone (survives a zone outage).
   */
  natGateways?: 'none' | 'single' | 'perAz';
  /**
   * Give instances public DNS host names. DNS support is always on; ECS and RDS need both.
   */
  enableDnsHostnames?: boolean;
}
/**
 * An Application Load Balancer in the public subnets in front of the services that ask for it.
 */
export interface LoadBalancer {
  /**
   * Name of the load balancer (AWS allows 32 characters: letters, digits, hyphens, not starting or ending with a hyphen). Default: the stack name.
   */
  name?: string;
  /**
   * internet-facing (public IP addresses) or internal.
   */
  scheme?: 'internet-facing' | 'internal';
  /**
   * Connection idle timeout.
   */
  idleTimeoutSeconds?: number;
  /**
   * Listeners: HTTP, and HTTPS with an ACM certificate.
   *
   * @minItems 1
   * @maxItems 10
   */
  listeners:
    | [Listener]
    | [Listener, Listener]
    | [Listener, Listener, Listener]
    | [Listener, Listener, Listener, Listener]
    | [Listener, Listener, Listener, Listener, Listener]
    | [Listener, Listener, Listener, Listener, Listener, Listener]
    | [Listener, Listener, Listener, Listener, Listener, Listener, Listener]
    | [Listener, Listener, Listener, Listener, Listener, Listener, Listener, Listener]
    | [Listener, Listener, Listener, Listener, Listener, Listener, Listener, Listener, Listener]
    | [
        Listener,
        Listener,
        Listener,
        Listener,
        Listener,
        Listener,
        Listener,
        Listener,
        Listener,
        Listener,
      ];
  healthCheck?: TargetHealthCheck;
  /**
   * How long the target group waits for in-flight requests before a deregistered target is removed.
   */
  deregistrationDelaySeconds?: number;
  /**
   * Client address ranges allowed to reach the listeners.
   *
   * @maxItems 50
   */
  allowedCidrs?: Cidr[];
}
export interface Listener {
  /**
   * Listener port.
   */
  port: number;
  /**
   * HTTP or HTTPS.
   */
  protocol: 'HTTP' | 'HTTPS';
  /**
   * ACM certificate for an HTTPS listener.
   */
  certificateArn?: string;
  /**
   * TLS security policy of an HTTPS listener.
   */
  sslPolicy?: string;
  /**
   * On an HTTP listener: answer every request with a 301 to the same URL on HTTPS port 443 instead of forwarding it.
   */
  redirectToHttps?: boolean;
}
/**
 * Target group health check of the load-balanced services (a service's healthCheckPath overrides the path).
 */
export interface TargetHealthCheck {
  /**
   * HTTP path probed.
   */
  path?: string;
  /**
   * HTTP codes that mean healthy: a code, a list (200,204) or a range (200-299).
   */
  matcher?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
}
/**
 * A container service on ECS: one task definition and one ECS service.
 */
export interface Service {
  /**
   * Service name, unique in the stack. Lowercase letters, digits and hyphens.
   */
  name: string;
  /**
   * Container image reference, with a tag or digest (repository:tag or repository@sha256:...).
   */
  image: string;
  /**
   * CPU units of the task (1024 = one vCPU). Fargate accepts 256, 512, 1024, 2048, 4096, 8192 or 16384.
   */
  cpu?: 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384;
  /**
   * Memory of the task in MiB; Fargate allows certain values per cpu size.
   */
  memory?: number;
  /**
   * Container port the service listens on.
   */
  port: number;
  /**
   * Number of tasks to keep running.
   */
  desiredCount?: number;
  /**
   * FARGATE (serverless) or EC2.
   */
  launchType?: 'FARGATE' | 'EC2';
  /**
   * Overrides the image's command.
   *
   * @maxItems 100
   */
  command?: string[];
  /**
   * Plain environment variables. Never put a secret here: use secrets.
   */
  environment?: {
    [k: string]: string;
  };
  /**
   * Environment variables filled by ECS from a secret store at task start.
   */
  secrets?: {
    [k: string]: SecretRef;
  };
  /**
   * HTTP path the load balancer and the container health check probe.
   */
  healthCheckPath?: string;
  /**
   * Name of one of the stack's logGroups that receives the container's stdout and stderr (awslogs driver).
   */
  logGroup: string;
  /**
   * Attach the service to the stack's load balancer. The one service without pathPatterns receives the listeners' default action.
   */
  loadBalancer?: {
    /**
     * Path patterns routed to this service (e.g. /v1/*).
     *
     * @minItems 1
     * @maxItems 5
     */
    pathPatterns?:
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string];
    /**
     * Listener rule priority (lower first).
     */
    priority?: number;
  };
  /**
   * Seconds ECS ignores failing load balancer health checks after a task starts.
   */
  healthCheckGracePeriodSeconds?: number;
  /**
   * Rolling deployment settings.
   */
  deployment?: {
    minimumHealthyPercent?: number;
    maximumPercent?: number;
    /**
     * Stop a failing deployment and, with rollback, return to the last working one.
     */
    circuitBreaker?: {
      enable?: boolean;
      rollback?: boolean;
    };
  };
}
/**
 * A PostgreSQL instance on RDS in the private subnets, reachable only from the services. Its master password is generated and rotated by RDS in Secrets Manager; no password is ever written anywhere.
 */
export interface Database {
  /**
   * DB instance identifier (63 characters, letters, digits, hyphens). Default: <stack>-db. Changing it replaces the database.
   */
  identifier?: string;
  /**
   * PostgreSQL engine version, major or major.minor (e.g. 16 or 16.4). A major version change replaces the database.
   */
  engineVersion: string;
  /**
   * DB instance class, e.g. db.t4g.micro.
   */
  instanceClass: string;
  /**
   * Name of the database created in the instance.
   */
  databaseName?: string;
  /**
   * Master user name. The password is managed by RDS.
   */
  masterUsername?: string;
  /**
   * The master password is always generated and kept by RDS in Secrets Manager (ManageMasterUserPassword).
   */
  manageMasterPassword?: true;
  /**
   * Storage size in GiB.
   */
  allocatedStorageGiB?: number;
  /**
   * Upper limit for storage autoscaling.
   */
  maxAllocatedStorageGiB?: number;
  /**
   * Storage type.
   */
  storageType?: 'gp2' | 'gp3' | 'io1' | 'io2';
  /**
   * Keep a standby in another availability zone.
   */
  multiAz?: boolean;
  /**
   * Days automated backups are kept (0 turns backups off).
   */
  backupRetentionDays?: number;
  /**
   * PostgreSQL logs exported to CloudWatch Logs; the reconciler creates their log groups first so it owns their retention.
   */
  logExports?: ('postgresql' | 'upgrade' | 'iam-db-auth-error')[];
  logRetentionDays?: RetentionDays;
  /**
   * Allow IAM database authentication tokens.
   */
  iamAuthentication?: boolean;
  /**
   * On removal: snapshot (final snapshot, then delete), retain (leave it, remove only the management tags) or delete.
   */
  deletionPolicy?: 'snapshot' | 'retain' | 'delete';
}
/**
 * A CloudWatch Logs log group.
 */
export interface LogGroup {
  /**
   * Log group name (up to 512 characters: letters, digits, _ - / . #).
   */
  name: string;
  retentionDays?: RetentionDays;
  /**
   * KMS key that encrypts the log data.
   */
  kmsKeyArn?: string;
}
