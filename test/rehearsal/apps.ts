/**
 * Small programs users write, as the versions of the rehearsal's rows. Environment-agnostic stacks
 * (no lookups needed); a hosted zone by attributes. A program made once and named here is shared by
 * every row that starts from it, so it is synthesized once per flag set.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Environment, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Build } from './synth';
import { Deployment, FargateVpcEndpoints, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../../src';

/** Props, or props made in the stack (a hosted zone, a certificate). */
export type PropsOf = PrivateFargateBehindAlbProps | ((stack: Stack) => PrivateFargateBehindAlbProps);
const propsIn = (stack: Stack, props: PropsOf) => typeof props === 'function' ? props(stack) : props;

/** The zone example.com, by attributes. */
export function zone(stack: Stack): route53.IHostedZone {
  return (stack.node.tryFindChild('Zone') as route53.IHostedZone | undefined)
    ?? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
}

/** A certificate the user has, by ARN (no record, no certificate created). */
export function certificate(stack: Stack): acm.ICertificate {
  return (stack.node.tryFindChild('Certificate') as acm.ICertificate | undefined)
    ?? acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000');
}

/** A domain name with its zone: the service requests its certificate and writes its record. */
export const domain = (domainName: string, more: PrivateFargateBehindAlbProps = {}): PropsOf =>
  (stack) => ({ domainName, hostedZone: zone(stack), ...more });

/** The account and region of the unit tests, whose lookups cdk.context.json answers. */
export const ENV: Environment = { account: '123456789012', region: 'us-east-1' };

/** A stack named `App`, with the lookups of cdk.context.json answered when it has an environment. */
function appStack(app: App, env?: Environment): Stack {
  if (env) {
    const context = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.context.json'), 'utf-8'));
    for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  }
  return new Stack(app, 'App', { env });
}

/** The stack `App` (environment-agnostic unless `env` is given) with the service `Web`. */
export function service(props: PropsOf = {}, env?: Environment): Build {
  return (app) => {
    const stack = appStack(app, env);
    new PrivateFargateBehindAlb(stack, 'Web', propsIn(stack, props));
  };
}

/** The service of most rows' version 1: every default. */
export const BASE = service();

/** `Web` on its own load balancer, and each other service on Web's load balancer. */
export function onWebsLoadBalancer(web: PropsOf, others: Record<string, PropsOf>, env?: Environment): Build {
  return (app) => {
    const stack = appStack(app, env);
    const front = new PrivateFargateBehindAlb(stack, 'Web', propsIn(stack, web));
    for (const [id, props] of Object.entries(others)) {
      new PrivateFargateBehindAlb(stack, id, { loadBalancer: front.loadBalancer, ...propsIn(stack, props) });
    }
  };
}

/** `Web` with its own load balancer and VPC, and each other service in Web's VPC with a load balancer of its own. */
export function onWebsVpc(web: PropsOf, others: Record<string, PropsOf>): Build {
  return (app) => {
    const stack = appStack(app);
    const front = new PrivateFargateBehindAlb(stack, 'Web', propsIn(stack, web));
    for (const [id, props] of Object.entries(others)) new PrivateFargateBehindAlb(stack, id, { vpc: front.vpc, ...propsIn(stack, props) });
  };
}

/** A VPC the user made: public and isolated subnets in two AZs, no NAT. */
function userVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

/** The user's VPC and load balancer, with each service on that load balancer. */
export function onUsersLoadBalancer(services: Record<string, PropsOf>): Build {
  return (app) => {
    const stack = new Stack(app, 'App');
    const vpc = userVpc(stack);
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    for (const [id, props] of Object.entries(services)) {
      new PrivateFargateBehindAlb(stack, id, { loadBalancer, ...propsIn(stack, props) });
    }
  };
}

/** The user's VPC, with each service on it (each with its own load balancer). */
export function onUsersVpc(services: Record<string, PropsOf>): Build {
  return (app) => {
    const stack = new Stack(app, 'App');
    const vpc = userVpc(stack);
    for (const [id, props] of Object.entries(services)) new PrivateFargateBehindAlb(stack, id, { vpc, ...propsIn(stack, props) });
  };
}

/** An existing VPC, imported by id: public and isolated subnets in two AZs, with its CIDR. */
const IMPORTED_VPC: ec2.VpcAttributes = {
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidrBlock: '172.16.0.0/16',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  publicSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
  publicSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0aaaaaaaaaaaaaaa1'],
  isolatedSubnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
  isolatedSubnetRouteTableIds: ['rtb-0bbbbbbbbbbbbbbb1', 'rtb-0bbbbbbbbbbbbbbb2'],
};

/**
 * The stacks One and Two, each importing the same VPC; each stack has a topic of its own (a stack
 * keeps something when its service goes) and the services listed for it.
 */
export function importedVpcInStacks(services: { One: Record<string, PropsOf>; Two: Record<string, PropsOf> }): Build {
  return (app) => {
    for (const [name, ofStack] of Object.entries(services)) {
      const stack = new Stack(app, name);
      new sns.Topic(stack, 'Alerts');
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', IMPORTED_VPC);
      for (const [id, props] of Object.entries(ofStack)) new PrivateFargateBehindAlb(stack, id, { vpc, ...propsIn(stack, props) });
    }
  };
}

/**
 * The way out of `importedVpcInStacks`: the endpoints made once in a stack `Network` that owns them,
 * and the stacks One and Two, each importing the VPC and running the services listed for it.
 */
export function importedVpcWithNetworkStack(services: { One: Record<string, PropsOf>; Two: Record<string, PropsOf> }): Build {
  return (app) => {
    const network = new Stack(app, 'Network');
    new FargateVpcEndpoints(network, 'Endpoints', { vpc: ec2.Vpc.fromVpcAttributes(network, 'Vpc', IMPORTED_VPC) });
    importedVpcInStacks(services)(app);
  };
}

/** One program per deployment strategy (a single service, every other prop at its default). */
export const STRATEGIES: Record<string, Build> = {
  'rolling': service({ deployment: Deployment.rolling() }),
  'canary': service({ deployment: Deployment.canary() }),
  'linear': service({ deployment: Deployment.linear() }),
  'blue/green': service({ deployment: Deployment.blueGreen() }),
};

/** "Many HTTPS services on one load balancer" of docs/load-balancer.md, as written there. */
export const DOCS_MANY_HTTPS_SERVICES: Build = (app) => {
  const stack = new Stack(app, 'App');
  const hostedZone = zone(stack);
  const front = new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone });
  new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: front.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080 });
  new PrivateFargateBehindAlb(stack, 'Admin', {
    loadBalancer: front.loadBalancer,
    domainName: 'shop.example.com',
    pathPatterns: ['/admin/*'],
    hostedZone,
    port: 8081,
  });
};
