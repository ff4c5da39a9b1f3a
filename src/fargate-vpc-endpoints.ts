import { Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, Dependable, IConstruct, IDependable } from 'constructs';
import { refuse } from './validation';
import { cidrOf, describeVpc, isOwnVpc, privateSubnetsOf } from './vpc';

/**
 * Props of `FargateVpcEndpoints`.
 */
export interface FargateVpcEndpointsProps {
  /**
   * The VPC whose private subnets get the endpoints.
   */
  readonly vpc: ec2.IVpc;

  /**
   * Whether the endpoints serve the Fargate tasks only: their security group admits HTTPS from the
   * peers given to `allowFrom` and nothing else, and the S3 gateway endpoint's policy admits only the
   * bucket of ECR image layers and what the tasks are granted. When false the security group also
   * admits the VPC's CIDR and the S3 gateway endpoint keeps the default policy (all of S3), so that
   * other workloads of the VPC, whose names now resolve to these endpoints, keep reaching AWS.
   *
   * @default - true for a VPC created by `PrivateFargateBehindAlb`, false for any other VPC
   */
  readonly restrictToTasks?: boolean;
}

/**
 * The VPC endpoints a Fargate task needs in a subnet with no route to the internet: ECR API,
 * ECR Docker and CloudWatch Logs (interface, private DNS) and S3 (gateway).
 *
 * A VPC can hold only one interface endpoint with private DNS per service, and a route table only one
 * S3 gateway route, so one VPC gets one set in an app: `FargateVpcEndpoints.of(vpc)` creates it on
 * first use and returns it to every caller, also to a second stack that imports the same VPC id.
 */
export class FargateVpcEndpoints extends Construct {
  /**
   * The endpoints of `vpc`: the set the app already has for this VPC (the same object, or the same
   * concrete VPC id), else a new set created as a child of the VPC construct.
   */
  public static of(vpc: ec2.IVpc): FargateVpcEndpoints {
    const existing = registered(vpc);
    if (existing) return existing;
    const set = new FargateVpcEndpoints(vpc as unknown as Construct, SINGLETON_ID, { vpc });
    madeByOf.add(set);
    return set;
  }

  /**
   * The security group of the interface endpoints; it admits HTTPS from the peers given to
   * `allowFrom` (and from the VPC's CIDR when `restrictToTasks` is false).
   */
  public readonly securityGroup: ec2.ISecurityGroup;

  /**
   * The S3 gateway endpoint. Extend its policy with `s3Endpoint.addToPolicy(...)`.
   */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;

  /**
   * Whether the endpoints serve the Fargate tasks only (see `FargateVpcEndpointsProps.restrictToTasks`).
   */
  public readonly restrictToTasks: boolean;

  /** The VPC of the endpoints. */
  public readonly vpc: ec2.IVpc;

  private readonly subnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: FargateVpcEndpointsProps) {
    super(scope, id);
    register(this, props.vpc);
    this.vpc = props.vpc;
    this.restrictToTasks = props.restrictToTasks ?? isOwnVpc(props.vpc);
    this.subnets = privateSubnetsOf(props.vpc);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: this.restrictToTasks
        ? 'VPC interface endpoints: HTTPS from the Fargate tasks only'
        : 'VPC interface endpoints: HTTPS from the VPC',
      allowAllOutbound: false,
    });
    // Private DNS sends every workload of the VPC to these endpoints: all of them must get in.
    const cidr = this.restrictToTasks ? undefined : vpcCidr(this, props.vpc);
    if (cidr !== undefined) {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
      // cdk-nag cannot tell a CIDR known only at deploy time from 0.0.0.0/0. A concrete one it checks itself: acknowledging
      // it too would hide open ingress added to this group later.
      if (Token.isUnresolved(cidr)) {
        Validations.of(this.securityGroup).acknowledge({
          id: 'AwsSolutions-EC23',
          reason: 'The endpoints admit HTTPS from the VPC\'s own CIDR, a value known only at deploy time; never from the internet.',
        });
        for (const rule of ['EC2RestrictedCommonPorts', 'EC2RestrictedSSH']) {
          for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
            Validations.of(this.securityGroup).acknowledge({
              id: `${pack}-${rule}`,
              reason: 'The endpoints admit only HTTPS (443), from the VPC\'s own CIDR, a value known only at deploy time; never from the internet.',
            });
          }
        }
      }
    }

    this.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.ECR);
    this.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER);
    this.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);

    this.s3Endpoint = this.addGatewayEndpoint(ec2.GatewayVpcEndpointAwsService.S3);
    if (this.restrictToTasks) {
      const stack = Stack.of(this);
      this.s3Endpoint.addToPolicy(new iam.PolicyStatement({
        sid: 'EcrImageLayers',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${stack.partition}:s3:::prod-${stack.region}-starport-layer-bucket/*`],
      }));
    }
  }

  /**
   * Lets `peer` reach the interface endpoints on HTTPS. This adds the endpoints' ingress rule only: the peer's egress is its own.
   */
  public allowFrom(peer: ec2.IConnectable): void {
    for (const peerGroup of peer.connections.securityGroups) {
      if (Stack.of(peerGroup) === Stack.of(this)) {
        // Inline in this group: one resource less per service, and no cycle, since the peer's own
        // rules towards the endpoints are separate resources.
        this.securityGroup.addIngressRule(ec2.Peer.securityGroupId(peerGroup.securityGroupId), ec2.Port.tcp(443), 'HTTPS to the VPC endpoints');
      } else {
        // A peer in another stack holds the rule, since its stack already depends on this one.
        this.securityGroup.addIngressRule(peerGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints', true);
      }
    }
  }

  /**
   * Adds an interface endpoint with private DNS for `service` in the private subnets, behind the
   * endpoints' security group, unless the set has it already.
   */
  public addInterfaceEndpoint(service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
    const id = endpointId(service.shortName);
    const existing = this.node.tryFindChild(id);
    if (existing instanceof ec2.InterfaceVpcEndpoint) return existing;
    return new ec2.InterfaceVpcEndpoint(this, id, {
      vpc: this.vpc,
      service,
      privateDnsEnabled: true,
      subnets: this.subnets,
      securityGroups: [this.securityGroup],
      // The default (`true`) would admit the whole VPC CIDR; who gets in is set on the group above.
      open: false,
    });
  }

  /**
   * Adds a gateway endpoint (S3 or DynamoDB; they cost nothing) on the route tables of the private
   * subnets, unless the set has it already. Its policy is the default (the whole service).
   */
  public addGatewayEndpoint(service: ec2.GatewayVpcEndpointAwsService): ec2.GatewayVpcEndpoint {
    // com.amazonaws.REGION.dynamodb -> Dynamodb; the region may be a token, the name never is.
    const id = endpointId(service.name.split('.').pop()!);
    const existing = this.node.tryFindChild(id);
    if (existing instanceof ec2.GatewayVpcEndpoint) return existing;
    return new ec2.GatewayVpcEndpoint(this, id, { vpc: this.vpc, service, subnets: [this.subnets] });
  }

  /**
   * Whether the set has an endpoint for the service of this short name (`sqs`, `dynamodb`, `ecr.api`).
   */
  public hasEndpoint(shortName: string): boolean {
    return this.node.tryFindChild(endpointId(shortName)) !== undefined;
  }
}

const SINGLETON_ID = 'FargateVpcEndpoints';

/**
 * The endpoints of a set, to wait for: read when the app synthesizes, so that those added then (for what the task
 * definition ended up using) count too. Their security group is left out: every interface endpoint refers to it.
 */
export function endpointsOf(set: FargateVpcEndpoints): IDependable {
  const endpoints: IDependable = {};
  Dependable.implement(endpoints, {
    get dependencyRoots() {
      return set.node.children.filter((child) => child instanceof ec2.VpcEndpoint);
    },
  });
  return endpoints;
}

/**
 * Lets a custom resource's function in the VPC answer CloudFormation: it PUTs its answer to a presigned URL of
 * CloudFormation's response bucket of the region, `cloudformation-custom-resource-response-` and the region without
 * dashes (`uswest2`; CloudFormation user guide, "Access CloudFormation using an interface endpoint"). The S3
 * endpoint of a set restricted to the tasks allows that bucket too; any other set's allows all of S3 already. Each
 * function that calls this adds the same statement, which the policy holds once.
 */
export function allowCustomResourceResponses(endpoints: FargateVpcEndpoints): void {
  if (!endpoints.restrictToTasks) return;
  const stack = Stack.of(endpoints);
  const region = Token.isUnresolved(stack.region) ? Fn.join('', Fn.split('-', stack.region)) : stack.region.replace(/-/g, '');
  endpoints.s3Endpoint.addToPolicy(new iam.PolicyStatement({
    sid: 'CloudFormationResponses',
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [`arn:${stack.partition}:s3:::cloudformation-custom-resource-response-${region}/*`],
  }));
}

/** ecr.api -> EcrApi, secretsmanager -> Secretsmanager: one child per service. */
function endpointId(shortName: string): string {
  return shortName.split('.').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

/** The sets `of()` made as children of the VPC object it was given (not made with `new`). */
const madeByOf = new WeakSet<FargateVpcEndpoints>();

/**
 * Whether `set` stays where it is for as long as `vpc` is used: a set made with `new` has the home its
 * maker gave it, and one `of()` made lives under its VPC object, which is stable only for that object.
 * Another object of the same VPC id (an import in another stack, say) may outlive it.
 */
export function homeIsStableFor(set: FargateVpcEndpoints, vpc: ec2.IVpc): boolean {
  return !madeByOf.has(set) || set.vpc === vpc;
}

/** The sets of an app by concrete VPC id, and of VPC objects whose id is a token. */
const setsById = new WeakMap<IConstruct, Map<string, FargateVpcEndpoints>>();
const setsByVpc = new WeakMap<ec2.IVpc, FargateVpcEndpoints>();

function registered(vpc: ec2.IVpc): FargateVpcEndpoints | undefined {
  if (Token.isUnresolved(vpc.vpcId)) return setsByVpc.get(vpc);
  return setsById.get(vpc.node.root)?.get(vpc.vpcId);
}

function register(set: FargateVpcEndpoints, vpc: ec2.IVpc): void {
  const existing = registered(vpc);
  if (existing) {
    refuse(set,
      `vpc must get one set of endpoints in an app; received ${describeVpc(vpc)}, whose endpoints ` +
      `${existing.node.path} (stack ${Stack.of(existing).stackName}) already creates: a second private-DNS endpoint or S3 route ` +
      'fails at deploy. Create the set before the services that use the VPC, or use FargateVpcEndpoints.of(vpc) to share that set',
    );
    return;
  }
  if (Token.isUnresolved(vpc.vpcId)) {
    setsByVpc.set(vpc, set);
  } else {
    const sets = setsById.get(vpc.node.root) ?? new Map<string, FargateVpcEndpoints>();
    setsById.set(vpc.node.root, sets);
    sets.set(vpc.vpcId, set);
  }
}

function vpcCidr(set: FargateVpcEndpoints, vpc: ec2.IVpc): string | undefined {
  const cidr = cidrOf(vpc);
  if (cidr === undefined) {
    refuse(set,
      'vpc must have a known CIDR: the endpoints in a VPC this library did not create admit the VPC\'s CIDR, ' +
      `since private DNS sends every workload there to them; received ${describeVpc(vpc)} without vpcCidrBlock. ` +
      'Give vpcCidrBlock to Vpc.fromVpcAttributes, or use the endpoints the VPC already has (endpointSecurityGroup)',
    );
  }
  return cidr;
}
