/* Generated from schemas/stack.schema.json by `npm run gen:types`. Do not edit by hand. */

/**
 * An IPv4 CIDR block. Format: an IPv4 CIDR block such as 10.0.0.0/16.
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
       * ARN of a Secrets Manager secret. Format: arn:aws:secretsmanager:<region>:<account>:secret:<name>.
       */
      secretsManagerArn: string;
      /**
       * Take one key of a JSON secret.
       */
      jsonKey?: string;
    }
  | {
      /**
       * An SSM parameter (SecureString). Format: a parameter name such as /app/api-key, or its ARN arn:aws:ssm:<region>:<account>:parameter/<name>.
       */
      ssmParameter: string;
    };

/**
 * A whole application stack on AWS, written at the level a person thinks in: a network, a load balancer, container services, a PostgreSQL database and log groups. The reconciler expands it into AWS resources and keeps them converged.
 */
export interface Stack {
  /**
   * Optional reference to this schema, for editors.
   */
  $schema?: string;
  /**
   * Stack name, unique per AWS account and region. It prefixes every AWS name the stack creates and is the value of the reconciler:stack tag; at most 24 characters so that derived names (load balancer, target groups, roles) stay within AWS limits. Format: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.
   */
  name: string;
  /**
   * Environment label (dev, staging, prod, ...), added to every resource as the tag `environment`. Format: lowercase letters, digits and hyphens, starting with a letter.
   */
  environment?: string;
  /**
   * AWS region of the stack. Format: a region name such as us-west-2 or eu-central-1.
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
  registry?: Registry;
  capacity?: Capacity;
  monitoring?: Monitoring;
}
/**
 * Tags added to every resource of the stack. Keys starting with aws: or reconciler: are reserved.
 */
export interface Tags {
  /**
   * A tag value. Format: up to 256 letters, digits, spaces and _ . : / = + - @.
   */
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
   *
   * Items: An availability zone of the stack's region. Format: an availability zone name such as us-west-2a (the region followed by a letter).
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
   * Name of the load balancer, at most 32 characters (AWS limit). Default: the stack name. Format: letters, digits and hyphens, not starting or ending with a hyphen.
   */
  name?: string;
  /**
   * internet-facing (public IP addresses) or internal.
   */
  scheme?: 'internet-facing' | 'internal';
  /**
   * Seconds a connection may stay idle before the load balancer closes it (AWS default 60).
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
/**
 * A listener of the load balancer: the port and protocol clients connect to.
 */
export interface Listener {
  /**
   * Port clients connect to, unique among the listeners.
   */
  port: number;
  /**
   * HTTP or HTTPS.
   */
  protocol: 'HTTP' | 'HTTPS';
  /**
   * ACM certificate of an HTTPS listener (required for HTTPS, not allowed on HTTP). Format: an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>.
   */
  certificateArn?: string;
  /**
   * TLS security policy of an HTTPS listener (ignored on HTTP). Format: an ELB security policy name starting with ELBSecurityPolicy-.
   */
  sslPolicy?: string;
  /**
   * On an HTTP listener: answer every request with a 301 to the same URL on HTTPS port 443 instead of forwarding it. Needs an HTTPS listener on port 443.
   */
  redirectToHttps?: boolean;
}
/**
 * Target group health check of the load-balanced services (a service's healthCheckPath overrides the path).
 */
export interface TargetHealthCheck {
  /**
   * HTTP path probed (AWS default /; here /healthz). Format: a path starting with / (printable characters, no spaces).
   */
  path?: string;
  /**
   * HTTP codes that mean healthy (AWS default 200). Format: a code, a list (200,204) or a range (200-299).
   */
  matcher?: string;
  /**
   * Seconds between health checks of one target (AWS default 30).
   */
  intervalSeconds?: number;
  /**
   * Seconds without a response that count as a failed check; less than intervalSeconds (AWS default 5).
   */
  timeoutSeconds?: number;
  /**
   * Consecutive successes before an unhealthy target is healthy again (AWS default 5).
   */
  healthyThreshold?: number;
  /**
   * Consecutive failures before a target is unhealthy (AWS default 2).
   */
  unhealthyThreshold?: number;
}
/**
 * A container service on ECS: one task definition and one ECS service.
 */
export interface Service {
  /**
   * Service name, unique in the stack; names its ECS service, task family and target group (<stack>-<service>, at most 32 characters). Format: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.
   */
  name: string;
  /**
   * The container image: a reference with a tag or digest, or an image of one of the stack's registry repositories, { repository: api, tag: 1.2.3 }, which the plan resolves to <repositoryUri>:1.2.3 (known after apply while the repository does not exist yet).
   */
  image:
    | string
    | {
        /**
         * Name of one of the stack's registry.repositories.
         */
        repository: string;
        /**
         * Image tag in that repository (the deploy workflow writes it). Format: 1 to 128 letters, digits, _ . and -, not starting with . or -, e.g. 1.2.3.
         */
        tag: string;
      };
  /**
   * CPU units of the task (1024 = one vCPU). Fargate accepts 256, 512, 1024, 2048, 4096, 8192 or 16384.
   */
  cpu?: 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384;
  /**
   * Memory of the task in MiB. Fargate allows, per cpu: 256: 512-2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384 (steps of 1024); 4096: 8192-30720 (steps of 1024); 8192: 16384-61440 (steps of 4096); 16384: 32768-122880 (steps of 8192).
   */
  memory?: number;
  /**
   * Container port the service listens on.
   */
  port: number;
  /**
   * Number of tasks to keep running (AWS default 1). With autoScaling, only the count a new service starts with, clamped into minTasks..maxTasks.
   */
  desiredCount?: number;
  /**
   * FARGATE (serverless) or EC2: the tasks run on the stack's EC2 capacity (its capacity provider; needs the stack's capacity section).
   */
  launchType?: 'FARGATE' | 'EC2';
  /**
   * awsvpc: each task has its own network interface and security group, and the load balancer targets its IP. bridge (EC2 only): tasks share the instance's network on dynamic host ports, and the load balancer targets the instance; the instances' security group opens the ephemeral ports 32768-65535 to the load balancer only.
   */
  networkMode?: 'awsvpc' | 'bridge';
  /**
   * Overrides the image's command.
   *
   * @maxItems 100
   */
  command?: string[];
  /**
   * Plain environment variables. Never put a secret here (a secret-looking name such as DB_PASSWORD or a credential-looking value is an error): use secrets.
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
   * HTTP path the load balancer and the container health check probe; overrides loadBalancer.healthCheck.path for this service. Default: loadBalancer.healthCheck.path for a load-balanced service, /healthz for the others. Format: a path starting with / (printable characters, no spaces).
   */
  healthCheckPath?: string;
  /**
   * Name of one of the stack's logGroups that receives the container's stdout and stderr (awslogs driver); must be declared in logGroups.
   */
  logGroup: string;
  /**
   * Attach the service to the stack's load balancer (needs the stack's loadBalancer section). At most one service leaves out pathPatterns: it receives the listeners' default action.
   */
  loadBalancer?: {
    /**
     * Path patterns routed to this service, unique across services (e.g. /v1/*).
     *
     * @minItems 1
     * @maxItems 5
     *
     * Items: A path pattern. Format: starts with /, may use * and ? wildcards, e.g. /v1/*.
     */
    pathPatterns?:
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string];
    /**
     * Listener rule priority (lower is evaluated first), unique across services. Default: the service's position in the list.
     */
    priority?: number;
  };
  /**
   * Seconds ECS ignores failing load balancer health checks after a task starts (AWS default 0; here 60 so a starting container is not killed).
   */
  healthCheckGracePeriodSeconds?: number;
  /**
   * Rolling deployment settings.
   */
  deployment?: {
    /**
     * Lower limit, in percent of desiredCount, of running tasks during a deployment (AWS default 100).
     */
    minimumHealthyPercent?: number;
    /**
     * Upper limit, in percent of desiredCount, of running tasks during a deployment (AWS default 200).
     */
    maximumPercent?: number;
    /**
     * Stop a failing deployment and, with rollback, return to the last working one.
     */
    circuitBreaker?: {
      /**
       * Stop a deployment whose tasks keep failing to start (AWS default false; here true).
       */
      enable?: boolean;
      /**
       * After stopping, go back to the last deployment that worked (AWS default false; here true).
       */
      rollback?: boolean;
    };
  };
  /**
   * Application Auto Scaling of the service's task count: a scalable target between minTasks and maxTasks, one target tracking policy per metric given (at least one of cpu, memory, requestsPerTarget) and optional scheduled actions. The scaler then owns the task count: desiredCount only sets the count a new service starts with (clamped into minTasks..maxTasks), a count the scaler changed is never drift, and removing autoScaling deletes the target and its policies and sets the count back to desiredCount.
   */
  autoScaling?: {
    /**
     * Fewest tasks the scaler keeps running (at most maxTasks).
     */
    minTasks: number;
    /**
     * Most tasks the scaler may run (at least minTasks and 1).
     */
    maxTasks: number;
    /**
     * Target average CPU utilization of the service's tasks, in percent (ECSServiceAverageCPUUtilization).
     */
    cpu?: number;
    /**
     * Target average memory utilization of the service's tasks, in percent (ECSServiceAverageMemoryUtilization).
     */
    memory?: number;
    /**
     * Target number of load balancer requests per task and minute (ALBRequestCountPerTarget of the service's target group); needs the service's loadBalancer.
     */
    requestsPerTarget?: number;
    /**
     * Seconds after a scale-out before the next scale-out may start (AWS default for ECS 300).
     */
    scaleOutCooldownSeconds?: number;
    /**
     * Seconds after a scaling activity before a scale-in may start (AWS default for ECS 300).
     */
    scaleInCooldownSeconds?: number;
    /**
     * Scheduled actions: at the given times the scaler's minimum and maximum change (e.g. a larger minimum on weekday mornings).
     *
     * @maxItems 50
     */
    scheduled?: {
      /**
       * Name of the scheduled action, unique in the service. Format: letters, digits, hyphens and underscores.
       */
      name: string;
      /**
       * When the action runs: at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(minutes hours day-of-month month day-of-week year).
       */
      schedule: string;
      /**
       * The scaler's minimum from this time on.
       */
      minTasks: number;
      /**
       * The scaler's maximum from this time on (at least minTasks).
       */
      maxTasks: number;
      /**
       * Time zone of at and cron expressions, an IANA name such as Europe/Berlin (AWS default UTC).
       */
      timezone?: string;
    }[];
  };
}
/**
 * A PostgreSQL instance on RDS in the private subnets, reachable only from the services. Its master password is generated and rotated by RDS in Secrets Manager; no password is ever written anywhere.
 */
export interface Database {
  /**
   * DB instance identifier, at most 63 characters. Default: <stack>-db. Changing it replaces the database. Format: letters, digits and hyphens, starting with a letter, not ending with a hyphen, no two hyphens in a row.
   */
  identifier?: string;
  /**
   * PostgreSQL engine version; a major version change replaces the database. Format: major or major.minor, e.g. 16 or 16.4 (quote it in YAML: "16.4").
   */
  engineVersion: string;
  /**
   * DB instance class. Format: db.<family>.<size>, e.g. db.t4g.micro.
   */
  instanceClass: string;
  /**
   * Name of the database created in the instance. Format: letters, digits and underscores, starting with a letter.
   */
  databaseName?: string;
  /**
   * Master user name; the password is generated and kept by RDS. Format: letters, digits and underscores, starting with a letter.
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
   * Upper limit for storage autoscaling; greater than allocatedStorageGiB. Leave out to turn storage autoscaling off.
   */
  maxAllocatedStorageGiB?: number;
  /**
   * Storage type (gp3 recommended).
   */
  storageType?: 'gp2' | 'gp3' | 'io1' | 'io2';
  /**
   * Keep a standby in another availability zone (AWS default false).
   */
  multiAz?: boolean;
  /**
   * Days automated backups are kept; 0 turns backups off (AWS console default 7).
   */
  backupRetentionDays?: number;
  /**
   * PostgreSQL logs exported to CloudWatch Logs; the reconciler creates their log groups first so it owns their retention.
   *
   * Items: A PostgreSQL log type.
   */
  logExports?: ('postgresql' | 'upgrade' | 'iam-db-auth-error')[];
  /**
   * Days CloudWatch keeps log events (AWS default: forever; here 30). One of the values AWS accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.
   */
  logRetentionDays?:
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
   * IAM database authentication (AWS default false). When on, the services connect as their own database user with a 15-minute token their task role may ask for (rds-db:connect on that user only), not with the master password: the task gets DB_AUTH=iam, DB_USER and DB_MASTER_SECRET_ARN (the master secret's ARN, which its task role may read: the service migrates and creates its user with it once at start) and no password secret.
   */
  iamAuthentication?: boolean;
  /**
   * With iamAuthentication: the database user the services connect as, created with the rds_iam role by the services' migration at start, a member of the role <serviceUser>_owner that owns the service's tables. Format: lowercase letters, digits and underscores, starting with a letter.
   */
  serviceUser?: string;
  /**
   * Outbound rules of the database's security group. Default none: the database only answers connections, and AWS's allow-all egress rule is removed.
   */
  egress?: {
    /**
     * An IPv4 CIDR block. Format: an IPv4 CIDR block such as 10.0.0.0/16.
     */
    cidr: string;
    /**
     * TCP port.
     */
    port: number;
  }[];
  /**
   * RDS read replicas of the instance (AWS default none), named <identifier>-replica-<n>. The services get their endpoints (DB_READ_HOST_1 ... DB_READ_HOST_<n>) and send queries that only read there; writes stay on the instance. Replicas lag the instance by the replication delay (usually under a second).
   */
  readReplicas?: number;
  /**
   * DB instance class of the read replicas. Default: the instance's instanceClass. Format: db.<family>.<size>, e.g. db.t4g.micro.
   */
  readReplicaInstanceClass?: string;
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
   * Log group name, unique in the stack, up to 512 characters. Format: letters, digits and _ - / . # (e.g. /scalable-logging/api).
   */
  name: string;
  /**
   * Days CloudWatch keeps log events (AWS default: forever; here 30). One of the values AWS accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.
   */
  retentionDays?:
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
   * KMS key that encrypts the log data (default: CloudWatch's own encryption). Format: a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>.
   */
  kmsKeyArn?: string;
}
/**
 * The stack's private image registry: ECR repositories, each named <stack>/<name>, that the stack's services (and the reconciler itself) can run images from.
 */
export interface Registry {
  /**
   * ECR repositories owned by the stack.
   *
   * @maxItems 50
   */
  repositories: Repository[];
}
/**
 * An ECR repository. Deleting a repository deletes its images: one that still holds images is deleted only with force: true.
 */
export interface Repository {
  /**
   * Repository name, unique in the stack; the ECR repository is <stack>/<name> (e.g. scalable-logging/api) and a service names it in image.repository. Format: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.
   */
  name: string;
  /**
   * IMMUTABLE: a pushed tag can never be moved to another image, so the tag a spec names is the image that runs (AWS default MUTABLE; here IMMUTABLE).
   */
  tagMutability?: 'IMMUTABLE' | 'MUTABLE';
  /**
   * Scan every pushed image for known vulnerabilities (basic scanning; AWS default false, here true).
   */
  scanOnPush?: boolean;
  /**
   * How ECR encrypts the images at rest: AES256 (S3-managed keys) or KMS (a KMS key, kmsKeyArn or the AWS managed key aws/ecr). Fixed at creation: changing it replaces the repository, and its images with it.
   */
  encryption?: 'AES256' | 'KMS';
  /**
   * KMS key for encryption KMS (default: the AWS managed key aws/ecr). Format: a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>.
   */
  kmsKeyArn?: string;
  /**
   * The repository's lifecycle policy, which ECR applies by expiring images. Leave out for no policy: every image is kept (the AWS default).
   */
  lifecycle?: {
    /**
     * Keep only the newest N images, tagged or not, and expire older ones. Leave out to keep every tagged image. An image a spec in git still names can expire: keep enough for the rollbacks you want.
     */
    keepLastImages?: number;
    /**
     * Expire untagged images (layers of replaced pushes) this many days after their push.
     */
    expireUntaggedAfterDays?: number;
  };
  /**
   * Delete the repository together with the images it holds when it leaves the spec or the stack is destroyed. Default false: the delete of a repository that still holds images fails with a terminal error that says so, and the repository and its images stay.
   */
  force?: boolean;
}
/**
 * EC2 capacity for the services with launchType EC2: an Auto Scaling group of ECS container instances in the private subnets of every availability zone, launched from a launch template (the ECS-optimized AMI, an instance role and profile, a security group that admits only the load balancer, user data that joins the stack's cluster), and an ECS capacity provider with managed scaling and managed termination protection, attached to the cluster as its default strategy.
 */
export interface Capacity {
  /**
   * EC2 instance type of the container instances; a change is a new launch template version rolled out by an instance refresh. Format: family.size, e.g. t3.small or m7g.large.
   */
  instanceType?: string;
  /**
   * Fewest instances the group keeps (at most desiredCapacity).
   */
  minSize?: number;
  /**
   * Most instances managed scaling may run (at least desiredCapacity and 1).
   */
  maxSize?: number;
  /**
   * Instances at creation. Afterwards ECS managed scaling owns the number: changing it here or in AWS is never a change in the plan.
   */
  desiredCapacity?: number;
  /**
   * Pins the AMI of the instances. Without it, the AMI is the one amiParameter names when the plan is made, so a new recommended AMI shows as a launch template update. Format: ami- and 8 or 17 hex digits.
   */
  amiId?: string;
  /**
   * Public SSM parameter holding the ECS-optimized AMI id, read when amiId is not given. Format: a parameter under /aws/service/ecs/optimized-ami/ (the x86 Amazon Linux 2023 one by default; .../amazon-linux-2023/arm64/recommended/image_id for Graviton types).
   */
  amiParameter?: string;
  /**
   * The instances' root EBS volume (encrypted, deleted with the instance).
   */
  rootVolume?: {
    /**
     * Size in GiB; at least the AMI's snapshot (30 GiB for the ECS-optimized Amazon Linux 2023 AMI).
     */
    sizeGiB?: number;
    /**
     * EBS volume type.
     */
    type?: 'gp3' | 'gp2' | 'io1' | 'io2';
    /**
     * Root device name of the AMI (/dev/xvda for Amazon Linux). Format: /dev/ and a device name.
     */
    deviceName?: string;
  };
  /**
   * Managed scaling's target: the share of the instances the tasks should use (100 packs them; lower keeps spare room for faster task starts).
   */
  targetCapacityPercent?: number;
  /**
   * Seconds a new instance needs before it counts for scaling and for an instance refresh.
   */
  instanceWarmupSeconds?: number;
  /**
   * Share of the instances that stay in service while an instance refresh replaces the others (AWS default 90).
   */
  refreshMinHealthyPercent?: number;
}
/**
 * CloudWatch alarms on the stack's load balancer, services and database, the SNS topic they notify, and one dashboard. Every alarm is on by default with the thresholds below; override a field or set enabled: false.
 */
export interface Monitoring {
  /**
   * The SNS topic every alarm notifies (on ALARM and on OK).
   */
  notifications?: {
    /**
     * SNS topic name. Default: <stack>-alarms. Changing it replaces the topic. Format: letters, digits, hyphens and underscores, at most 256.
     */
    topicName?: string;
    /**
     * Email addresses and HTTPS endpoints notified, each at most once.
     *
     * @maxItems 20
     */
    subscriptions?:
      | []
      | [Subscription]
      | [Subscription, Subscription]
      | [Subscription, Subscription, Subscription]
      | [Subscription, Subscription, Subscription, Subscription]
      | [Subscription, Subscription, Subscription, Subscription, Subscription]
      | [Subscription, Subscription, Subscription, Subscription, Subscription, Subscription]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ];
  };
  /**
   * The stack's alarms. Load balancer alarms exist per load-balanced service, the task alarm per service, database alarms when the stack has a database.
   */
  alarms?: {
    /**
     * Share of requests the service's targets answer with a 5xx status (metric math: 100 * HTTPCode_Target_5XX_Count / RequestCount; no requests is 0).
     */
    targetErrorRate?: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled?: boolean;
      /**
       * Percent of requests (0-100) above which the alarm fires.
       */
      threshold?: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period?: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods?: number;
    };
    /**
     * p99 of TargetResponseTime of the service's target group.
     */
    targetResponseTime?: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled?: boolean;
      /**
       * Seconds of p99 latency above which the alarm fires.
       */
      threshold?: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period?: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods?: number;
    };
    /**
     * UnHealthyHostCount (maximum) of the service's target group.
     */
    unhealthyHosts?: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled?: boolean;
      /**
       * Unhealthy targets above which the alarm fires (0: any unhealthy target).
       */
      threshold?: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period?: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods?: number;
    };
    /**
     * Running tasks below desired (metric math over Container Insights: DesiredTaskCount - RunningTaskCount).
     */
    runningTasks?: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled?: boolean;
      /**
       * Missing tasks above which the alarm fires (0: any task missing).
       */
      threshold?: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period?: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods?: number;
    };
    /**
     * CPUUtilization (average) of the database.
     */
    databaseCpu?: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled?: boolean;
      /**
       * Percent CPU above which the alarm fires.
       */
      threshold?: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period?: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods?: number;
    };
    /**
     * FreeStorageSpace (minimum) of the database.
     */
    databaseFreeStorage?: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled?: boolean;
      /**
       * GiB of free storage below which the alarm fires.
       */
      threshold?: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period?: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods?: number;
    };
    /**
     * DatabaseConnections (maximum) of the database.
     */
    databaseConnections?: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled?: boolean;
      /**
       * Open connections above which the alarm fires.
       */
      threshold?: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period?: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods?: number;
    };
  };
  /**
   * One CloudWatch dashboard for the stack, <stack>-<region>: request rate, latency (p50, p99), 5xx errors, running and desired tasks, the desired count over time (scaling activity), database CPU, connections and free storage.
   */
  dashboard?: boolean;
  /**
   * Widgets added after the stack's own, in CloudWatch's dashboard body syntax (type, properties, and x, y, width, height). When every widget has x, y, width and height their order does not matter; otherwise CloudWatch lays them out in order, so order is part of the dashboard.
   *
   * @maxItems 100
   *
   * Items: One widget in CloudWatch's dashboard body syntax: its type, its properties (required by CloudWatch) and optionally its position.
   */
  widgets?: {
    /**
     * Widget type: metric, text, log, alarm or explorer.
     */
    type: 'metric' | 'text' | 'log' | 'alarm' | 'explorer';
    /**
     * Column of the widget's left edge, 0 to 23.
     */
    x?: number;
    /**
     * Row of the widget's top edge.
     */
    y?: number;
    /**
     * Width in columns, 1 to 24 (the dashboard is 24 columns wide).
     */
    width?: number;
    /**
     * Height in rows.
     */
    height?: number;
    [k: string]: unknown;
  }[];
}
/**
 * Where the topic's notifications go. An email subscription stays pending until someone follows the link AWS mails; an HTTPS endpoint must answer AWS's confirmation request.
 */
export interface Subscription {
  /**
   * email or https.
   */
  protocol: 'email' | 'https';
  /**
   * The email address (protocol email) or the https:// URL (protocol https) to notify.
   */
  endpoint: string;
}

/**
 * A whole application stack on AWS, written at the level a person thinks in: a network, a load balancer, container services, a PostgreSQL database and log groups. The reconciler expands it into AWS resources and keeps them converged. Every field with a schema default is present (ajv useDefaults).
 */
export interface ResolvedStack {
  /**
   * Optional reference to this schema, for editors.
   */
  $schema?: string;
  /**
   * Stack name, unique per AWS account and region. It prefixes every AWS name the stack creates and is the value of the reconciler:stack tag; at most 24 characters so that derived names (load balancer, target groups, roles) stay within AWS limits. Format: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.
   */
  name: string;
  /**
   * Environment label (dev, staging, prod, ...), added to every resource as the tag `environment`. Format: lowercase letters, digits and hyphens, starting with a letter.
   */
  environment: string;
  /**
   * AWS region of the stack. Format: a region name such as us-west-2 or eu-central-1.
   */
  region: string;
  /**
   * Tags added to every resource of the stack. Keys starting with aws: or reconciler: are reserved.
   */
  tags?: Tags;
  /**
   * What happens to the stack's resources when they are removed from the spec or the stack is destroyed: delete removes them; retain leaves them in place and only removes the reconciler's management tags. Stateful resources (the database) follow their own deletionPolicy.
   */
  deletionPolicy: 'delete' | 'retain';
  /**
   * When true the daemon still observes and plans the stack and reports drift, but changes nothing.
   */
  paused: boolean;
  network: ResolvedNetwork;
  loadBalancer?: ResolvedLoadBalancer;
  /**
   * Container services run on ECS in the private subnets.
   *
   * @maxItems 20
   */
  services?:
    | []
    | [ResolvedService]
    | [ResolvedService, ResolvedService]
    | [ResolvedService, ResolvedService, ResolvedService]
    | [ResolvedService, ResolvedService, ResolvedService, ResolvedService]
    | [ResolvedService, ResolvedService, ResolvedService, ResolvedService, ResolvedService]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ]
    | [
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
        ResolvedService,
      ];
  database?: ResolvedDatabase;
  /**
   * CloudWatch log groups owned by the stack. Services send their container logs to one of them.
   *
   * @maxItems 50
   */
  logGroups?: ResolvedLogGroup[];
  registry?: ResolvedRegistry;
  capacity?: ResolvedCapacity;
  monitoring?: ResolvedMonitoring;
}
/**
 * The VPC: public subnets (internet gateway) for the load balancer and NAT gateways, private subnets for services and the database, one of each per availability zone.
 */
export interface ResolvedNetwork {
  /**
   * IPv4 CIDR block of the VPC, between /16 and /28. Changing it replaces the VPC and everything in it.
   */
  cidr: Cidr;
  /**
   * Availability zones to spread subnets over, e.g. [us-west-2a, us-west-2b]. A load balancer and a database need at least two.
   *
   * @minItems 1
   * @maxItems 6
   *
   * Items: An availability zone of the stack's region. Format: an availability zone name such as us-west-2a (the region followed by a letter).
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
  natGateways: 'none' | 'single' | 'perAz';
  /**
   * Give instances public DNS host names. DNS support is always on; ECS and RDS need both.
   */
  enableDnsHostnames: boolean;
}
/**
 * An Application Load Balancer in the public subnets in front of the services that ask for it.
 */
export interface ResolvedLoadBalancer {
  /**
   * Name of the load balancer, at most 32 characters (AWS limit). Default: the stack name. Format: letters, digits and hyphens, not starting or ending with a hyphen.
   */
  name?: string;
  /**
   * internet-facing (public IP addresses) or internal.
   */
  scheme: 'internet-facing' | 'internal';
  /**
   * Seconds a connection may stay idle before the load balancer closes it (AWS default 60).
   */
  idleTimeoutSeconds: number;
  /**
   * Listeners: HTTP, and HTTPS with an ACM certificate.
   *
   * @minItems 1
   * @maxItems 10
   */
  listeners:
    | [ResolvedListener]
    | [ResolvedListener, ResolvedListener]
    | [ResolvedListener, ResolvedListener, ResolvedListener]
    | [ResolvedListener, ResolvedListener, ResolvedListener, ResolvedListener]
    | [ResolvedListener, ResolvedListener, ResolvedListener, ResolvedListener, ResolvedListener]
    | [
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
      ]
    | [
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
      ]
    | [
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
      ]
    | [
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
      ]
    | [
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
        ResolvedListener,
      ];
  healthCheck: ResolvedTargetHealthCheck;
  /**
   * How long the target group waits for in-flight requests before a deregistered target is removed.
   */
  deregistrationDelaySeconds: number;
  /**
   * Client address ranges allowed to reach the listeners.
   *
   * @maxItems 50
   */
  allowedCidrs: Cidr[];
}
/**
 * A listener of the load balancer: the port and protocol clients connect to.
 */
export interface ResolvedListener {
  /**
   * Port clients connect to, unique among the listeners.
   */
  port: number;
  /**
   * HTTP or HTTPS.
   */
  protocol: 'HTTP' | 'HTTPS';
  /**
   * ACM certificate of an HTTPS listener (required for HTTPS, not allowed on HTTP). Format: an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>.
   */
  certificateArn?: string;
  /**
   * TLS security policy of an HTTPS listener (ignored on HTTP). Format: an ELB security policy name starting with ELBSecurityPolicy-.
   */
  sslPolicy: string;
  /**
   * On an HTTP listener: answer every request with a 301 to the same URL on HTTPS port 443 instead of forwarding it. Needs an HTTPS listener on port 443.
   */
  redirectToHttps: boolean;
}
/**
 * Target group health check of the load-balanced services (a service's healthCheckPath overrides the path).
 */
export interface ResolvedTargetHealthCheck {
  /**
   * HTTP path probed (AWS default /; here /healthz). Format: a path starting with / (printable characters, no spaces).
   */
  path: string;
  /**
   * HTTP codes that mean healthy (AWS default 200). Format: a code, a list (200,204) or a range (200-299).
   */
  matcher: string;
  /**
   * Seconds between health checks of one target (AWS default 30).
   */
  intervalSeconds: number;
  /**
   * Seconds without a response that count as a failed check; less than intervalSeconds (AWS default 5).
   */
  timeoutSeconds: number;
  /**
   * Consecutive successes before an unhealthy target is healthy again (AWS default 5).
   */
  healthyThreshold: number;
  /**
   * Consecutive failures before a target is unhealthy (AWS default 2).
   */
  unhealthyThreshold: number;
}
/**
 * A container service on ECS: one task definition and one ECS service.
 */
export interface ResolvedService {
  /**
   * Service name, unique in the stack; names its ECS service, task family and target group (<stack>-<service>, at most 32 characters). Format: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.
   */
  name: string;
  /**
   * The container image: a reference with a tag or digest, or an image of one of the stack's registry repositories, { repository: api, tag: 1.2.3 }, which the plan resolves to <repositoryUri>:1.2.3 (known after apply while the repository does not exist yet).
   */
  image:
    | string
    | {
        /**
         * Name of one of the stack's registry.repositories.
         */
        repository: string;
        /**
         * Image tag in that repository (the deploy workflow writes it). Format: 1 to 128 letters, digits, _ . and -, not starting with . or -, e.g. 1.2.3.
         */
        tag: string;
      };
  /**
   * CPU units of the task (1024 = one vCPU). Fargate accepts 256, 512, 1024, 2048, 4096, 8192 or 16384.
   */
  cpu: 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384;
  /**
   * Memory of the task in MiB. Fargate allows, per cpu: 256: 512-2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384 (steps of 1024); 4096: 8192-30720 (steps of 1024); 8192: 16384-61440 (steps of 4096); 16384: 32768-122880 (steps of 8192).
   */
  memory: number;
  /**
   * Container port the service listens on.
   */
  port: number;
  /**
   * Number of tasks to keep running (AWS default 1). With autoScaling, only the count a new service starts with, clamped into minTasks..maxTasks.
   */
  desiredCount: number;
  /**
   * FARGATE (serverless) or EC2: the tasks run on the stack's EC2 capacity (its capacity provider; needs the stack's capacity section).
   */
  launchType: 'FARGATE' | 'EC2';
  /**
   * awsvpc: each task has its own network interface and security group, and the load balancer targets its IP. bridge (EC2 only): tasks share the instance's network on dynamic host ports, and the load balancer targets the instance; the instances' security group opens the ephemeral ports 32768-65535 to the load balancer only.
   */
  networkMode: 'awsvpc' | 'bridge';
  /**
   * Overrides the image's command.
   *
   * @maxItems 100
   */
  command?: string[];
  /**
   * Plain environment variables. Never put a secret here (a secret-looking name such as DB_PASSWORD or a credential-looking value is an error): use secrets.
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
   * HTTP path the load balancer and the container health check probe; overrides loadBalancer.healthCheck.path for this service. Default: loadBalancer.healthCheck.path for a load-balanced service, /healthz for the others. Format: a path starting with / (printable characters, no spaces).
   */
  healthCheckPath?: string;
  /**
   * Name of one of the stack's logGroups that receives the container's stdout and stderr (awslogs driver); must be declared in logGroups.
   */
  logGroup: string;
  /**
   * Attach the service to the stack's load balancer (needs the stack's loadBalancer section). At most one service leaves out pathPatterns: it receives the listeners' default action.
   */
  loadBalancer?: {
    /**
     * Path patterns routed to this service, unique across services (e.g. /v1/*).
     *
     * @minItems 1
     * @maxItems 5
     *
     * Items: A path pattern. Format: starts with /, may use * and ? wildcards, e.g. /v1/*.
     */
    pathPatterns?:
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string];
    /**
     * Listener rule priority (lower is evaluated first), unique across services. Default: the service's position in the list.
     */
    priority?: number;
  };
  /**
   * Seconds ECS ignores failing load balancer health checks after a task starts (AWS default 0; here 60 so a starting container is not killed).
   */
  healthCheckGracePeriodSeconds: number;
  /**
   * Rolling deployment settings.
   */
  deployment: {
    /**
     * Lower limit, in percent of desiredCount, of running tasks during a deployment (AWS default 100).
     */
    minimumHealthyPercent: number;
    /**
     * Upper limit, in percent of desiredCount, of running tasks during a deployment (AWS default 200).
     */
    maximumPercent: number;
    /**
     * Stop a failing deployment and, with rollback, return to the last working one.
     */
    circuitBreaker: {
      /**
       * Stop a deployment whose tasks keep failing to start (AWS default false; here true).
       */
      enable: boolean;
      /**
       * After stopping, go back to the last deployment that worked (AWS default false; here true).
       */
      rollback: boolean;
    };
  };
  /**
   * Application Auto Scaling of the service's task count: a scalable target between minTasks and maxTasks, one target tracking policy per metric given (at least one of cpu, memory, requestsPerTarget) and optional scheduled actions. The scaler then owns the task count: desiredCount only sets the count a new service starts with (clamped into minTasks..maxTasks), a count the scaler changed is never drift, and removing autoScaling deletes the target and its policies and sets the count back to desiredCount.
   */
  autoScaling?: {
    /**
     * Fewest tasks the scaler keeps running (at most maxTasks).
     */
    minTasks: number;
    /**
     * Most tasks the scaler may run (at least minTasks and 1).
     */
    maxTasks: number;
    /**
     * Target average CPU utilization of the service's tasks, in percent (ECSServiceAverageCPUUtilization).
     */
    cpu?: number;
    /**
     * Target average memory utilization of the service's tasks, in percent (ECSServiceAverageMemoryUtilization).
     */
    memory?: number;
    /**
     * Target number of load balancer requests per task and minute (ALBRequestCountPerTarget of the service's target group); needs the service's loadBalancer.
     */
    requestsPerTarget?: number;
    /**
     * Seconds after a scale-out before the next scale-out may start (AWS default for ECS 300).
     */
    scaleOutCooldownSeconds: number;
    /**
     * Seconds after a scaling activity before a scale-in may start (AWS default for ECS 300).
     */
    scaleInCooldownSeconds: number;
    /**
     * Scheduled actions: at the given times the scaler's minimum and maximum change (e.g. a larger minimum on weekday mornings).
     *
     * @maxItems 50
     */
    scheduled?: {
      /**
       * Name of the scheduled action, unique in the service. Format: letters, digits, hyphens and underscores.
       */
      name: string;
      /**
       * When the action runs: at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(minutes hours day-of-month month day-of-week year).
       */
      schedule: string;
      /**
       * The scaler's minimum from this time on.
       */
      minTasks: number;
      /**
       * The scaler's maximum from this time on (at least minTasks).
       */
      maxTasks: number;
      /**
       * Time zone of at and cron expressions, an IANA name such as Europe/Berlin (AWS default UTC).
       */
      timezone: string;
    }[];
  };
}
/**
 * A PostgreSQL instance on RDS in the private subnets, reachable only from the services. Its master password is generated and rotated by RDS in Secrets Manager; no password is ever written anywhere.
 */
export interface ResolvedDatabase {
  /**
   * DB instance identifier, at most 63 characters. Default: <stack>-db. Changing it replaces the database. Format: letters, digits and hyphens, starting with a letter, not ending with a hyphen, no two hyphens in a row.
   */
  identifier?: string;
  /**
   * PostgreSQL engine version; a major version change replaces the database. Format: major or major.minor, e.g. 16 or 16.4 (quote it in YAML: "16.4").
   */
  engineVersion: string;
  /**
   * DB instance class. Format: db.<family>.<size>, e.g. db.t4g.micro.
   */
  instanceClass: string;
  /**
   * Name of the database created in the instance. Format: letters, digits and underscores, starting with a letter.
   */
  databaseName: string;
  /**
   * Master user name; the password is generated and kept by RDS. Format: letters, digits and underscores, starting with a letter.
   */
  masterUsername: string;
  /**
   * The master password is always generated and kept by RDS in Secrets Manager (ManageMasterUserPassword).
   */
  manageMasterPassword: true;
  /**
   * Storage size in GiB.
   */
  allocatedStorageGiB: number;
  /**
   * Upper limit for storage autoscaling; greater than allocatedStorageGiB. Leave out to turn storage autoscaling off.
   */
  maxAllocatedStorageGiB?: number;
  /**
   * Storage type (gp3 recommended).
   */
  storageType: 'gp2' | 'gp3' | 'io1' | 'io2';
  /**
   * Keep a standby in another availability zone (AWS default false).
   */
  multiAz: boolean;
  /**
   * Days automated backups are kept; 0 turns backups off (AWS console default 7).
   */
  backupRetentionDays: number;
  /**
   * PostgreSQL logs exported to CloudWatch Logs; the reconciler creates their log groups first so it owns their retention.
   *
   * Items: A PostgreSQL log type.
   */
  logExports: ('postgresql' | 'upgrade' | 'iam-db-auth-error')[];
  /**
   * Days CloudWatch keeps log events (AWS default: forever; here 30). One of the values AWS accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.
   */
  logRetentionDays:
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
   * IAM database authentication (AWS default false). When on, the services connect as their own database user with a 15-minute token their task role may ask for (rds-db:connect on that user only), not with the master password: the task gets DB_AUTH=iam, DB_USER and DB_MASTER_SECRET_ARN (the master secret's ARN, which its task role may read: the service migrates and creates its user with it once at start) and no password secret.
   */
  iamAuthentication: boolean;
  /**
   * With iamAuthentication: the database user the services connect as, created with the rds_iam role by the services' migration at start, a member of the role <serviceUser>_owner that owns the service's tables. Format: lowercase letters, digits and underscores, starting with a letter.
   */
  serviceUser: string;
  /**
   * Outbound rules of the database's security group. Default none: the database only answers connections, and AWS's allow-all egress rule is removed.
   */
  egress: {
    /**
     * Destination IPv4 CIDR block.
     */
    cidr: Cidr;
    /**
     * TCP port.
     */
    port: number;
  }[];
  /**
   * RDS read replicas of the instance (AWS default none), named <identifier>-replica-<n>. The services get their endpoints (DB_READ_HOST_1 ... DB_READ_HOST_<n>) and send queries that only read there; writes stay on the instance. Replicas lag the instance by the replication delay (usually under a second).
   */
  readReplicas: number;
  /**
   * DB instance class of the read replicas. Default: the instance's instanceClass. Format: db.<family>.<size>, e.g. db.t4g.micro.
   */
  readReplicaInstanceClass?: string;
  /**
   * On removal: snapshot (final snapshot, then delete), retain (leave it, remove only the management tags) or delete.
   */
  deletionPolicy: 'snapshot' | 'retain' | 'delete';
}
/**
 * A CloudWatch Logs log group.
 */
export interface ResolvedLogGroup {
  /**
   * Log group name, unique in the stack, up to 512 characters. Format: letters, digits and _ - / . # (e.g. /scalable-logging/api).
   */
  name: string;
  /**
   * Days CloudWatch keeps log events (AWS default: forever; here 30). One of the values AWS accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.
   */
  retentionDays:
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
   * KMS key that encrypts the log data (default: CloudWatch's own encryption). Format: a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>.
   */
  kmsKeyArn?: string;
}
/**
 * The stack's private image registry: ECR repositories, each named <stack>/<name>, that the stack's services (and the reconciler itself) can run images from.
 */
export interface ResolvedRegistry {
  /**
   * ECR repositories owned by the stack.
   *
   * @maxItems 50
   */
  repositories: ResolvedRepository[];
}
/**
 * An ECR repository. Deleting a repository deletes its images: one that still holds images is deleted only with force: true.
 */
export interface ResolvedRepository {
  /**
   * Repository name, unique in the stack; the ECR repository is <stack>/<name> (e.g. scalable-logging/api) and a service names it in image.repository. Format: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.
   */
  name: string;
  /**
   * IMMUTABLE: a pushed tag can never be moved to another image, so the tag a spec names is the image that runs (AWS default MUTABLE; here IMMUTABLE).
   */
  tagMutability: 'IMMUTABLE' | 'MUTABLE';
  /**
   * Scan every pushed image for known vulnerabilities (basic scanning; AWS default false, here true).
   */
  scanOnPush: boolean;
  /**
   * How ECR encrypts the images at rest: AES256 (S3-managed keys) or KMS (a KMS key, kmsKeyArn or the AWS managed key aws/ecr). Fixed at creation: changing it replaces the repository, and its images with it.
   */
  encryption: 'AES256' | 'KMS';
  /**
   * KMS key for encryption KMS (default: the AWS managed key aws/ecr). Format: a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>.
   */
  kmsKeyArn?: string;
  /**
   * The repository's lifecycle policy, which ECR applies by expiring images. Leave out for no policy: every image is kept (the AWS default).
   */
  lifecycle?: {
    /**
     * Keep only the newest N images, tagged or not, and expire older ones. Leave out to keep every tagged image. An image a spec in git still names can expire: keep enough for the rollbacks you want.
     */
    keepLastImages?: number;
    /**
     * Expire untagged images (layers of replaced pushes) this many days after their push.
     */
    expireUntaggedAfterDays: number;
  };
  /**
   * Delete the repository together with the images it holds when it leaves the spec or the stack is destroyed. Default false: the delete of a repository that still holds images fails with a terminal error that says so, and the repository and its images stay.
   */
  force: boolean;
}
/**
 * EC2 capacity for the services with launchType EC2: an Auto Scaling group of ECS container instances in the private subnets of every availability zone, launched from a launch template (the ECS-optimized AMI, an instance role and profile, a security group that admits only the load balancer, user data that joins the stack's cluster), and an ECS capacity provider with managed scaling and managed termination protection, attached to the cluster as its default strategy.
 */
export interface ResolvedCapacity {
  /**
   * EC2 instance type of the container instances; a change is a new launch template version rolled out by an instance refresh. Format: family.size, e.g. t3.small or m7g.large.
   */
  instanceType: string;
  /**
   * Fewest instances the group keeps (at most desiredCapacity).
   */
  minSize: number;
  /**
   * Most instances managed scaling may run (at least desiredCapacity and 1).
   */
  maxSize: number;
  /**
   * Instances at creation. Afterwards ECS managed scaling owns the number: changing it here or in AWS is never a change in the plan.
   */
  desiredCapacity: number;
  /**
   * Pins the AMI of the instances. Without it, the AMI is the one amiParameter names when the plan is made, so a new recommended AMI shows as a launch template update. Format: ami- and 8 or 17 hex digits.
   */
  amiId?: string;
  /**
   * Public SSM parameter holding the ECS-optimized AMI id, read when amiId is not given. Format: a parameter under /aws/service/ecs/optimized-ami/ (the x86 Amazon Linux 2023 one by default; .../amazon-linux-2023/arm64/recommended/image_id for Graviton types).
   */
  amiParameter: string;
  /**
   * The instances' root EBS volume (encrypted, deleted with the instance).
   */
  rootVolume: {
    /**
     * Size in GiB; at least the AMI's snapshot (30 GiB for the ECS-optimized Amazon Linux 2023 AMI).
     */
    sizeGiB: number;
    /**
     * EBS volume type.
     */
    type: 'gp3' | 'gp2' | 'io1' | 'io2';
    /**
     * Root device name of the AMI (/dev/xvda for Amazon Linux). Format: /dev/ and a device name.
     */
    deviceName: string;
  };
  /**
   * Managed scaling's target: the share of the instances the tasks should use (100 packs them; lower keeps spare room for faster task starts).
   */
  targetCapacityPercent: number;
  /**
   * Seconds a new instance needs before it counts for scaling and for an instance refresh.
   */
  instanceWarmupSeconds: number;
  /**
   * Share of the instances that stay in service while an instance refresh replaces the others (AWS default 90).
   */
  refreshMinHealthyPercent: number;
}
/**
 * CloudWatch alarms on the stack's load balancer, services and database, the SNS topic they notify, and one dashboard. Every alarm is on by default with the thresholds below; override a field or set enabled: false.
 */
export interface ResolvedMonitoring {
  /**
   * The SNS topic every alarm notifies (on ALARM and on OK).
   */
  notifications: {
    /**
     * SNS topic name. Default: <stack>-alarms. Changing it replaces the topic. Format: letters, digits, hyphens and underscores, at most 256.
     */
    topicName?: string;
    /**
     * Email addresses and HTTPS endpoints notified, each at most once.
     *
     * @maxItems 20
     */
    subscriptions:
      | []
      | [Subscription]
      | [Subscription, Subscription]
      | [Subscription, Subscription, Subscription]
      | [Subscription, Subscription, Subscription, Subscription]
      | [Subscription, Subscription, Subscription, Subscription, Subscription]
      | [Subscription, Subscription, Subscription, Subscription, Subscription, Subscription]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ]
      | [
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
          Subscription,
        ];
  };
  /**
   * The stack's alarms. Load balancer alarms exist per load-balanced service, the task alarm per service, database alarms when the stack has a database.
   */
  alarms: {
    /**
     * Share of requests the service's targets answer with a 5xx status (metric math: 100 * HTTPCode_Target_5XX_Count / RequestCount; no requests is 0).
     */
    targetErrorRate: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled: boolean;
      /**
       * Percent of requests (0-100) above which the alarm fires.
       */
      threshold: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods: number;
    };
    /**
     * p99 of TargetResponseTime of the service's target group.
     */
    targetResponseTime: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled: boolean;
      /**
       * Seconds of p99 latency above which the alarm fires.
       */
      threshold: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods: number;
    };
    /**
     * UnHealthyHostCount (maximum) of the service's target group.
     */
    unhealthyHosts: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled: boolean;
      /**
       * Unhealthy targets above which the alarm fires (0: any unhealthy target).
       */
      threshold: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods: number;
    };
    /**
     * Running tasks below desired (metric math over Container Insights: DesiredTaskCount - RunningTaskCount).
     */
    runningTasks: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled: boolean;
      /**
       * Missing tasks above which the alarm fires (0: any task missing).
       */
      threshold: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods: number;
    };
    /**
     * CPUUtilization (average) of the database.
     */
    databaseCpu: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled: boolean;
      /**
       * Percent CPU above which the alarm fires.
       */
      threshold: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods: number;
    };
    /**
     * FreeStorageSpace (minimum) of the database.
     */
    databaseFreeStorage: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled: boolean;
      /**
       * GiB of free storage below which the alarm fires.
       */
      threshold: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods: number;
    };
    /**
     * DatabaseConnections (maximum) of the database.
     */
    databaseConnections: {
      /**
       * false leaves the alarm out (an existing one is deleted).
       */
      enabled: boolean;
      /**
       * Open connections above which the alarm fires.
       */
      threshold: number;
      /**
       * Seconds over which the metric is aggregated into one data point: 10, 30 or a multiple of 60, and period x evaluationPeriods at most one day.
       */
      period: number;
      /**
       * How many consecutive periods must breach the threshold before the alarm fires.
       */
      evaluationPeriods: number;
    };
  };
  /**
   * One CloudWatch dashboard for the stack, <stack>-<region>: request rate, latency (p50, p99), 5xx errors, running and desired tasks, the desired count over time (scaling activity), database CPU, connections and free storage.
   */
  dashboard: boolean;
  /**
   * Widgets added after the stack's own, in CloudWatch's dashboard body syntax (type, properties, and x, y, width, height). When every widget has x, y, width and height their order does not matter; otherwise CloudWatch lays them out in order, so order is part of the dashboard.
   *
   * @maxItems 100
   *
   * Items: One widget in CloudWatch's dashboard body syntax: its type, its properties (required by CloudWatch) and optionally its position.
   */
  widgets?: {
    /**
     * Widget type: metric, text, log, alarm or explorer.
     */
    type: 'metric' | 'text' | 'log' | 'alarm' | 'explorer';
    /**
     * Column of the widget's left edge, 0 to 23.
     */
    x?: number;
    /**
     * Row of the widget's top edge.
     */
    y?: number;
    /**
     * Width in columns, 1 to 24 (the dashboard is 24 columns wide).
     */
    width?: number;
    /**
     * Height in rows.
     */
    height?: number;
    [k: string]: unknown;
  }[];
}
