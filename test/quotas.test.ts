/** The quotas of a load balancer that the services of an app pass together: refused or warned when the app synthesizes. */
import { Annotations, App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { Deployment, FargateVpcEndpoints, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';
import { importedVpc } from './helpers';
import { recordLoadBalancerUse } from '../src/quotas';

const ENV = { account: '123456789012', region: 'us-east-1' };
const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared/0123456789abcdef';
/** A private image of the stacks' region: no asset to stage, nothing to pull from the internet. */
const image = ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1');
/** The cheapest service: one target group, no alarms. */
const ROLLING: PrivateFargateBehindAlbProps = { image, deployment: Deployment.rolling(), deploymentAlarms: false };
/** A service with two target groups and a production rule, without alarms. */
const CANARY: PrivateFargateBehindAlbProps = { image, deploymentAlarms: false };

/** An app: a network stack with an imported VPC and its endpoints, the stack Front, and six stacks of services. */
function newApp(): { app: App; vpc: ec2.IVpc; front: Stack; stacks: Stack[] } {
  const app = new App();
  const network = new Stack(app, 'Network', { env: ENV });
  const vpc = importedVpc(network);
  new FargateVpcEndpoints(network, 'Endpoints', { vpc });
  const front = new Stack(app, 'Front', { env: ENV });
  const stacks = Array.from({ length: 6 }, (_, index) => new Stack(app, `Services${index + 1}`, { env: ENV }));
  return { app, vpc, front, stacks };
}

/** The load balancer of ARN, imported in the stack (once per stack). */
function importedIn(stack: Stack, vpc: ec2.IVpc): elbv2.IApplicationLoadBalancer {
  return stack.node.tryFindChild('Alb') as elbv2.IApplicationLoadBalancer ?? elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
    loadBalancerArn: ARN,
    securityGroupId: 'sg-0123456789abcdef0',
    vpc,
    loadBalancerDnsName: 'shared-123456789.us-east-1.elb.amazonaws.com',
    loadBalancerCanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
  });
}

/** The warnings of every stack of a cloud assembly, as `path: message` without the acknowledgement tag. */
function warningsOf(assembly: cxapi.CloudAssembly): string[] {
  return assembly.stacks.flatMap((stack) => stack.messages)
    .filter((message) => message.level === cxapi.SynthesisMessageLevel.WARNING)
    .map((message) => `${message.id}: ${String(message.entry.data).replace(/ \[ack: [^\]]+\]$/, '')}`);
}

/** Synthesizes the whole app once: the warnings about quotas, and how many resources of each type the stacks hold. */
function synthesize(app: App): { warnings: string[]; count: (type: string) => number } {
  const assembly = app.synth({ force: true });
  const resources = assembly.stacks.flatMap((stack) => Object.values((stack.template.Resources ?? {}) as Record<string, { Type: string }>));
  return {
    warnings: warningsOf(assembly).filter((warning) => warning.includes('ELB quota')),
    count: (type) => resources.filter((resource) => resource.Type === type).length,
  };
}

describe('target groups per load balancer: 100, not adjustable', () => {
  // The mistake: counting per stack, or per import of the load balancer, so that seven stacks of 100 target groups each pass.
  test('100 on a load balancer imported by its ARN in seven stacks synthesize with no warning; the 101st is refused, naming the service', () => {
    const { app, vpc, front, stacks } = newApp();
    const all = [front, ...stacks];
    // 50 canary services, two target groups each, spread over seven stacks that each import the load balancer.
    for (let index = 0; index < 50; index++) {
      const stack = all[index % all.length];
      new PrivateFargateBehindAlb(stack, `S${index + 1}`, { ...CANARY, vpc, loadBalancer: importedIn(stack, vpc), port: 8001 + index });
    }
    // The way out of the message below: the next service on a load balancer of its own.
    new PrivateFargateBehindAlb(stacks[5], 'Elsewhere', { ...ROLLING, vpc });

    const synthesized = synthesize(app);
    expect(synthesized.warnings).toEqual([]);
    // The shared load balancer's 100 target groups and 50 listeners, and Elsewhere's one of each.
    expect(['TargetGroup', 'Listener'].map((type) => synthesized.count(`AWS::ElasticLoadBalancingV2::${type}`))).toEqual([101, 51]);

    new PrivateFargateBehindAlb(stacks[5], 'S51', { ...ROLLING, vpc, loadBalancer: importedIn(stacks[5], vpc), port: 8051 });
    expect(() => app.synth({ force: true })).toThrow(
      '[Services6/S51] loadBalancer must have at most 100 target groups, the ELB quota "Target Groups per Application Load Balancer", which cannot be ' +
      `raised; received 101 on the load balancer ${ARN} from the 51 services of the app on it, this one taking the count past 100 (a service has one, ` +
      'two with a canary, linear or blue/green deployment). Put some services on another load balancer, or give some of them Deployment.rolling() ' +
      '(one target group instead of two)');
  });

  // The mistake: counting the rules of a host rather than of each service, or a shared listener or certificate once per service.
  test('100 services with a host rule each, on the HTTPS listener of a load balancer imported once and used from seven stacks, are at both quotas of 100', () => {
    const { app, vpc, front, stacks } = newApp();
    const network = app.node.findChild('Network') as Stack;
    const loadBalancer = importedIn(network, vpc);
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(network, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const https = { vpc, loadBalancer, domainName: 'shop.example.com', hostedZone };
    const all = [front, ...stacks];
    // One host, a path each: 100 target groups, 100 rules, one listener, one certificate (the default).
    for (let index = 0; index < 100; index++) {
      new PrivateFargateBehindAlb(all[index % all.length], `S${index + 1}`, { ...ROLLING, ...https, pathPatterns: [`/s${index + 1}/*`] });
    }

    const synthesized = synthesize(app);
    expect(synthesized.warnings).toEqual([]);
    expect([synthesized.count('AWS::ElasticLoadBalancingV2::TargetGroup'), synthesized.count('Custom::PrivateFargateListenerRule')]).toEqual([100, 100]);

    new PrivateFargateBehindAlb(stacks[5], 'S101', { ...ROLLING, ...https, pathPatterns: ['/s101/*'] });
    expect(() => app.synth({ force: true })).toThrow(
      '[Services6/S101] loadBalancer must have at most 100 target groups, the ELB quota "Target Groups per Application Load Balancer", which cannot be ' +
      `raised; received 101 on the load balancer ${ARN} from the 101 services of the app on it, this one taking the count past 100 ` +
      '(a service has one, two with a canary, linear or blue/green deployment). Put some services on another load balancer');
  });
});

describe('listeners per load balancer: 50, adjustable', () => {
  // The mistake: counting listeners per stack, or refusing what deploys once the account's quota is raised.
  test('50 listeners on web.loadBalancer over seven stacks get no warning; the 51st gets one naming the quota, which acknowledging it on the stack silences', () => {
    const { app, vpc, front, stacks } = newApp();
    const web = new PrivateFargateBehindAlb(front, 'Web', { ...ROLLING, vpc });
    const all = [front, ...stacks];
    for (let index = 1; index < 50; index++) {
      new PrivateFargateBehindAlb(all[index % all.length], `S${index + 1}`, { ...ROLLING, vpc, loadBalancer: web.loadBalancer, port: 8000 + index });
    }
    // The way out of the warning below: the next service on a load balancer of its own.
    new PrivateFargateBehindAlb(stacks[5], 'Elsewhere', { ...ROLLING, vpc });

    expect(synthesize(app).warnings).toEqual([]);

    const last = new PrivateFargateBehindAlb(stacks[5], 'S51', { ...ROLLING, vpc, loadBalancer: web.loadBalancer, port: 8050 });
    expect(synthesize(app).warnings).toEqual([
      '/Services6/S51: loadBalancer: the load balancer Front/Web/LoadBalancer gets 51 listeners from the 51 services of the app on it, this one ' +
      'taking the count past 50 (a service over HTTP has one on its port; the services with a domainName share one on 443, and the one that made ' +
      'the load balancer adds the redirect on 80); the ELB quota "Listeners per Application Load Balancer" is 50, adjustable (L-B6DF7632 in ' +
      'Service Quotas): the deploy fails unless the account\'s quota in the region is raised. Request the increase and acknowledge this warning, or ' +
      'put some services on another load balancer, or give some of them a domainName to share the HTTPS listener',
    ]);

    // On the stack: aws-cdk-lib 2.257 looks a warning added at synth up among the acknowledgements of the construct's ancestors only.
    Annotations.of(Stack.of(last)).acknowledgeWarning('private-fargate-behind-alb:listenersPerLoadBalancer');
    expect(synthesize(app).warnings).toEqual([]);
  });
});

describe('certificates per load balancer besides the default: 25, adjustable', () => {
  const zoneIn = (stack: Stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });

  // The mistake: counting the default certificate, or a name's certificate once per service on that name.
  test('26 names on web.loadBalancer over seven stacks, one served by two services, get no warning; the 27th name gets one', () => {
    const { app, vpc, front, stacks } = newApp();
    const hostedZone = zoneIn(front);
    const web = new PrivateFargateBehindAlb(front, 'Web', { ...ROLLING, vpc, domainName: 'web.example.com', hostedZone });
    const all = [front, ...stacks];
    const on = { ...ROLLING, vpc, loadBalancer: web.loadBalancer, hostedZone };
    for (let index = 1; index < 26; index++) new PrivateFargateBehindAlb(all[index % all.length], `S${index + 1}`, { ...on, domainName: `s${index + 1}.example.com` });
    new PrivateFargateBehindAlb(stacks[0], 'S2Admin', { ...on, domainName: 's2.example.com', pathPatterns: ['/admin/*'] });
    // The way out of the warning below: the next name on a load balancer of its own.
    new PrivateFargateBehindAlb(stacks[5], 'Elsewhere', { ...ROLLING, vpc, domainName: 'elsewhere.example.com', hostedZone });

    const synthesized = synthesize(app);
    expect(synthesized.warnings).toEqual([]);
    // web's certificate is the HTTPS listener's default; the 25 others are in its list. Elsewhere has its own load balancer.
    expect(['CertificateManager::Certificate', 'ElasticLoadBalancingV2::ListenerCertificate'].map((type) => synthesized.count(`AWS::${type}`)))
      .toEqual([27, 25]);

    new PrivateFargateBehindAlb(stacks[5], 'S27', { ...on, domainName: 's27.example.com' });
    expect(synthesize(app).warnings).toEqual([
      '/Services6/S27: loadBalancer: the load balancer Front/Web/LoadBalancer gets 26 certificates besides the default of its HTTPS listener from ' +
      'the 28 services of the app on it, this one taking the count past 25 (one per domainName); the ELB quota "Certificates per Application Load ' +
      'Balancer (excluding default certificates)" is 25, adjustable (L-9365A611 in Service Quotas): the deploy fails unless the account\'s quota ' +
      'in the region is raised. Request the increase and acknowledge this warning, or put some services on another load balancer with their domainNames',
    ]);
  });

  // The mistake: on a load balancer the user imported, whose default certificate is one of the names' own, counting it as one besides the default.
  test('on a load balancer imported by its ARN, 26 names are 25 certificates besides the default; the 27th name gets the warning', () => {
    const { app, vpc, front, stacks } = newApp();
    const network = app.node.findChild('Network') as Stack;
    const on = { ...ROLLING, vpc, loadBalancer: importedIn(network, vpc), hostedZone: zoneIn(network) };
    const all = [front, ...stacks];
    for (let index = 0; index < 26; index++) new PrivateFargateBehindAlb(all[index % all.length], `S${index + 1}`, { ...on, domainName: `s${index + 1}.example.com` });

    const synthesized = synthesize(app);
    expect(synthesized.warnings).toEqual([]);
    // Every name's certificate is in the listener's list but the default's (ELB refuses to remove a default from the list).
    expect(synthesized.count('AWS::ElasticLoadBalancingV2::ListenerCertificate')).toBe(25);

    new PrivateFargateBehindAlb(stacks[5], 'S27', { ...on, domainName: 's27.example.com' });
    expect(synthesize(app).warnings).toEqual([expect.stringMatching(
      new RegExp(`^/Services6/S27: loadBalancer: the load balancer ${ARN} gets 26 certificates besides the default of its HTTPS listener from the 27 services`))]);
  });
});

describe('rules per load balancer: 100, adjustable', () => {
  // The mistake: counting only one kind of rule. Each service's rule comes with a target group, so services alone reach 100 target groups
  // first: here 99 rules are recorded by hand, then a canary's production rule is the 100th and a host rule the 101st.
  test('a production rule and a host rule count: 100 rules get no warning, the 101st gets one', () => {
    const { app, vpc, stacks } = newApp();
    const network = app.node.findChild('Network') as Stack;
    const loadBalancer = importedIn(network, vpc);
    const other = new Construct(network, 'Other');
    recordLoadBalancerUse(other, loadBalancer, {
      targetGroups: [], listeners: [], certificates: [], rules: Array.from({ length: 99 }, (_, index) => new Construct(other, `Rule${index}`)),
    });
    new PrivateFargateBehindAlb(stacks[0], 'Canary', { ...CANARY, vpc, loadBalancer, port: 8080 });

    expect(synthesize(app).warnings).toEqual([]);

    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(network, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    new PrivateFargateBehindAlb(stacks[1], 'Host', { ...ROLLING, vpc, loadBalancer, domainName: 'host.example.com', hostedZone });
    expect(synthesize(app).warnings).toEqual([
      `/Services2/Host: loadBalancer: the load balancer ${ARN} gets 101 listener rules from the 3 services of the app on it, this one taking the ` +
      'count past 100 (a host rule for a service on the HTTPS listener, a production rule for a canary, linear or blue/green service on a listener ' +
      'of its own); the ELB quota "Rules per Application Load Balancer (excluding default rules)" is 100, adjustable (L-7EED9B64 in Service ' +
      'Quotas): the deploy fails unless the account\'s quota in the region is raised. Request the increase and acknowledge this warning, or put ' +
      'some services on another load balancer',
    ]);
  });
});
