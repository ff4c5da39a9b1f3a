import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { privateSubnetsOf } from './network';

/**
 * Props of `FargateVpcEndpoints`.
 */
export interface FargateVpcEndpointsProps {
  /**
   * The VPC whose private subnets get the endpoints.
   */
  readonly vpc: ec2.IVpc;
}

/**
 * The VPC endpoints a Fargate task needs in a subnet with no route to the internet: ECR API,
 * ECR Docker and CloudWatch Logs (interface, private DNS) and S3 (gateway, limited to the bucket
 * that holds ECR image layers).
 *
 * A VPC can hold only one interface endpoint with private DNS per service, so use
 * `FargateVpcEndpoints.of(vpc)`: it creates the endpoints once per VPC and returns the same set to
 * every caller.
 */
export class FargateVpcEndpoints extends Construct {
  /**
   * The endpoints of `vpc`, created on first use as a child of the VPC construct.
   */
  public static of(vpc: ec2.IVpc): FargateVpcEndpoints {
    const existing = vpc.node.tryFindChild(SINGLETON_ID);
    if (existing instanceof FargateVpcEndpoints) return existing;
    return new FargateVpcEndpoints(vpc as unknown as Construct, SINGLETON_ID, { vpc });
  }

  /**
   * The security group of the interface endpoints; it admits HTTPS only from peers given to `allowFrom`.
   */
  public readonly securityGroup: ec2.ISecurityGroup;

  /**
   * The S3 gateway endpoint.
   */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;

  private readonly vpc: ec2.IVpc;
  private readonly subnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: FargateVpcEndpointsProps) {
    super(scope, id);
    this.vpc = props.vpc;
    this.subnets = privateSubnetsOf(props.vpc);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'VPC interface endpoints: HTTPS from the Fargate tasks only',
      allowAllOutbound: false,
    });

    this.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.ECR);
    this.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER);
    this.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);

    this.s3Endpoint = new ec2.GatewayVpcEndpoint(this, 'S3', {
      vpc: props.vpc,
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.subnets],
    });
    const stack = Stack.of(this);
    this.s3Endpoint.addToPolicy(new iam.PolicyStatement({
      sid: 'EcrImageLayers',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [`arn:${stack.partition}:s3:::prod-${stack.region}-starport-layer-bucket/*`],
    }));
  }

  /**
   * Lets `peer` reach the interface endpoints on HTTPS. This adds the endpoints' ingress rule only: the peer's egress is its own.
   */
  public allowFrom(peer: ec2.IConnectable): void {
    for (const peerGroup of peer.connections.securityGroups) {
      if (Stack.of(peerGroup) === Stack.of(this)) {
        // Inline in this group: one resource less per service, and no cycle, since the peer's own
        // rules towards the endpoints are separate resources.
        this.securityGroup.addIngressRule(inlinePeer(peerGroup), ec2.Port.tcp(443), 'HTTPS to the VPC endpoints');
      } else {
        // A peer in another stack holds the rule, since its stack already depends on this one.
        this.securityGroup.addIngressRule(peerGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints', true);
      }
    }
  }

  /**
   * Adds an interface endpoint with private DNS for `service` in the private subnets, behind the
   * endpoints' security group, unless the VPC has it already from this construct.
   */
  public addInterfaceEndpoint(service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
    // ecr.api -> EcrApi, secretsmanager -> Secretsmanager: one child per service.
    const id = service.shortName.split('.').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
    const existing = this.node.tryFindChild(id);
    if (existing instanceof ec2.InterfaceVpcEndpoint) return existing;
    return new ec2.InterfaceVpcEndpoint(this, id, {
      vpc: this.vpc,
      service,
      privateDnsEnabled: true,
      subnets: this.subnets,
      securityGroups: [this.securityGroup],
      // The default (`true`) would admit the whole VPC CIDR; only the tasks are let in.
      open: false,
    });
  }
}

const SINGLETON_ID = 'FargateVpcEndpoints';

/** A security group as a peer whose rules may be written inline in the other group. */
function inlinePeer(group: ec2.ISecurityGroup): ec2.IPeer {
  return {
    canInlineRule: true,
    connections: new ec2.Connections({ securityGroups: [group] }),
    uniqueId: group.node.addr,
    toIngressRuleConfig: () => ({ sourceSecurityGroupId: group.securityGroupId }),
    toEgressRuleConfig: () => ({ destinationSecurityGroupId: group.securityGroupId }),
  };
}
