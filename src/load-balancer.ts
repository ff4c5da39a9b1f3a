import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { fail, validateSecondsInRange } from './validation';
import { privateSubnetsOf } from './vpc';

/*
 * The load balancer of a service: the one given (shared with other services), or a new one in the
 * VPC's public subnets (private when internal), with its security group, its access logs in a bucket
 * per stack, and a WAF web ACL.
 */

/** What the load balancer reads from the construct's props. */
export interface LoadBalancerProps {
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  readonly internetFacing?: boolean;
  readonly idleTimeout?: Duration;
  readonly webAclArn?: string;
  readonly accessLogsBucket?: s3.IBucket;
  readonly accessLogsExpiration?: Duration;
  readonly allowFrom?: ec2.IPeer[];
}

/** The load balancers made by this library's services, by the service that made each. */
const owners = new WeakMap<elbv2.IApplicationLoadBalancer, Construct>();

/** The service that made the load balancer, or undefined for one the user made or imported. */
export function ownerOf(loadBalancer: elbv2.IApplicationLoadBalancer): Construct | undefined {
  return owners.get(loadBalancer);
}

/** Validates the load balancer props and returns the given load balancer or a new one. */
export function loadBalancerFor(scope: Construct, props: LoadBalancerProps, vpc: ec2.IVpc): elbv2.IApplicationLoadBalancer {
  validateLoadBalancerProps(scope, props);
  if (props.loadBalancer) return props.loadBalancer;
  const internetFacing = props.internetFacing ?? true;
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc,
    internetFacing,
    vpcSubnets: internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : privateSubnetsOf(vpc),
    dropInvalidHeaderFields: true,
    idleTimeout: props.idleTimeout,
    securityGroup: new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
      vpc,
      description: `${internetFacing ? 'Internet-facing' : 'Internal'} load balancer: listener ports from ${props.allowFrom ? 'allowFrom' : 'anywhere'}, to the tasks only`,
      allowAllOutbound: false,
    }),
  });
  // aws-cdk-lib writes ELB's default, deletion protection off, which the construct never changes (see below): the template leaves it out.
  loadBalancer.removeAttribute('deletion_protection.enabled');
  owners.set(loadBalancer, scope);
  if (props.webAclArn) {
    new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', { resourceArn: loadBalancer.loadBalancerArn, webAclArn: props.webAclArn });
  } else {
    acknowledgeInPacks(loadBalancer, 'ALBWAFEnabled', ['NIST.800.53.R5', 'PCI.DSS.321'],
      'A web ACL\'s rules depend on the application and WAF bills per web ACL and rule, so the construct makes none; give webAclArn to associate yours.');
  }
  acknowledgeInPacks(loadBalancer, 'ELBDeletionProtectionEnabled', ['NIST.800.53.R5', 'HIPAA.Security'],
    'Deletion protection stops CloudFormation from deleting the load balancer: deleting the stack would fail, and replacing the load ' +
    'balancer (a change of internetFacing) would leave the old one behind. The load balancer holds no data; protect the stack with ' +
    'termination protection instead.');
  // ELB access logs are delivered by a per-region principal, so they need a concrete region.
  if (!Token.isUnresolved(Stack.of(scope).region)) {
    const bucket = props.accessLogsBucket ?? accessLogsBucketOf(scope, props.accessLogsExpiration);
    loadBalancer.logAccessLogs(bucket, Names.uniqueId(scope));
  } else if (props.accessLogsBucket) {
    fail(scope, 'accessLogsBucket needs a stack with a concrete region; received an environment-agnostic stack. Give the stack an environment with a region');
  } else {
    const reason = 'Access logs are delivered by a principal of the stack\'s region; this stack is environment-agnostic. Give the stack a region to get them.';
    Validations.of(loadBalancer).acknowledge({ id: 'AwsSolutions-ELB2', reason });
    acknowledgeInPacks(loadBalancer, 'ELBLoggingEnabled', REGULATED, reason);
  }
  return loadBalancer;
}

/** The load balancer's full name (`app/NAME/ID`), the dimension of its metrics: an attribute of one made here, else read from its ARN. */
export function fullNameOf(loadBalancer: elbv2.IApplicationLoadBalancer): string {
  if (loadBalancer instanceof elbv2.ApplicationLoadBalancer) return loadBalancer.loadBalancerFullName;
  return Stack.of(loadBalancer).splitArn(loadBalancer.loadBalancerArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
}

/** How long each stack's access-log bucket keeps objects, as set by its first user. */
const logExpirations = new WeakMap<Stack, Duration>();

/**
 * One access-log bucket per stack: encrypted, SSL only, never public, retained. Its objects expire
 * after `expiration` (90 days when the first service gives none), and since it is versioned, an expired
 * object's noncurrent copy is deleted one day later. A service that gives an expiration must agree with
 * the bucket's; one that gives none takes it.
 */
function accessLogsBucketOf(scope: Construct, requested: Duration | undefined): s3.IBucket {
  const stack = Stack.of(scope);
  const id = 'PrivateFargateAccessLogs';
  const agreed = logExpirations.get(stack);
  const expiration = requested ?? agreed ?? Duration.days(90);
  if (agreed && agreed.toDays() !== expiration.toDays()) {
    fail(scope,
      'accessLogsExpiration must be the same for every service of a stack, which share one access-log bucket; received ' +
      `${expiration.toHumanString()} where another service of the stack set ${agreed.toHumanString()}. ` +
      `Give the same accessLogsExpiration (${agreed.toHumanString()}), or leave it out on this service: it then keeps the bucket's`);
  }
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof s3.Bucket) return existing;
  logExpirations.set(stack, expiration);
  const bucket = new s3.Bucket(stack, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration, noncurrentVersionExpiration: Duration.days(1) }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket holds the load balancers\' access logs; logging access to it would need yet another bucket.',
  });
  acknowledgeInPacks(bucket, 'S3BucketLoggingEnabled', REGULATED,
    'This bucket holds the load balancers\' access logs; logging access to it would need yet another bucket.');
  acknowledgeInPacks(bucket, 'S3DefaultEncryptionKMS', REGULATED,
    'Elastic Load Balancing delivers access logs only to a bucket encrypted with Amazon S3 managed keys (SSE-S3), which this bucket uses; ' +
    'it does not deliver to a bucket encrypted with KMS keys.');
  acknowledgeInPacks(bucket, 'S3BucketReplicationEnabled', REGULATED,
    'The bucket holds the load balancers\' access logs until they expire (accessLogsExpiration); replicating them would need a second ' +
    'bucket, in another region, and a role for each stack. Give accessLogsBucket to deliver them to a bucket of your own.');
  return bucket;
}

/** The cdk-nag packs beyond AwsSolutions that regulated accounts run. */
const REGULATED = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** Acknowledges one rule of the given packs on exactly `construct`, with its reason. */
function acknowledgeInPacks(construct: IConstruct, rule: string, packs: string[], reason: string): void {
  for (const pack of packs) Validations.of(construct).acknowledge({ id: `${pack}-${rule}`, reason });
}

/** Refuses load balancer props that cannot apply to a shared load balancer, or that ELB and WAF would refuse. */
function validateLoadBalancerProps(scope: IConstruct, props: LoadBalancerProps): void {
  if (props.idleTimeout !== undefined) {
    validateSecondsInRange(scope, 'idleTimeout', props.idleTimeout, 1, 4000);
    if (props.loadBalancer) fail(scope, 'idleTimeout is set on the load balancer this construct creates; received it with a shared loadBalancer. Set it where that load balancer is created');
  }
  if (props.webAclArn !== undefined) {
    if (!Token.isUnresolved(props.webAclArn) && !/^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]+\/[\w-]+$/.test(props.webAclArn)) {
      fail(scope, `webAclArn must be the ARN of a regional WAFv2 web ACL (arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID); received "${props.webAclArn}"`);
    }
    if (props.loadBalancer) fail(scope, 'webAclArn is associated with the load balancer this construct creates; received it with a shared loadBalancer. Associate the web ACL where that load balancer is created');
  }
}
