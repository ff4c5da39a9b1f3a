import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { newStack, refusalsOf, securityGroupProperties, synthesized } from './helpers';
import { PrivateFargateBehindAlb } from '../src';


const group = (pattern: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(pattern), 'GroupId'] });

describe('a shared load balancer', () => {
  test('two services share one load balancer, each on a listener of its own port', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    const api = new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080 });

    expect(api.vpc).toBe(web.vpc);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    // A target group and, for the default canary deployment, an alternate one for each service.
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 4);
    for (const [service, port] of [['Web', 80], ['Api', 8080]] as const) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: port,
        LoadBalancerArn: { Ref: Match.stringLikeRegexp('WebLoadBalancer') },
        DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp(`${service}TargetGroup`) } }],
      });
    }
  });

  test('security groups stay as tight as with a dedicated load balancer', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080 });

    const template = Template.fromStack(stack);
    // The load balancer admits each service's port from anywhere, and nothing else.
    expect(securityGroupProperties(template, 'Internet-facing load balancer').SecurityGroupIngress.map((rule: any) => [rule.CidrIp, rule.FromPort, rule.ToPort]))
      .toEqual([['0.0.0.0/0', 80, 80], ['0.0.0.0/0', 8080, 8080]]);
    // It sends to each service's tasks on that service's port only.
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress', {
      Properties: { GroupId: group('WebLoadBalancerSecurityGroup') },
    })).map((rule) => [rule.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''), rule.Properties.FromPort]);
    expect(egress.sort()).toEqual([['ApiServiceSecurityGroup', 8080], ['WebServiceSecurityGroup', 80]]);
    // Each service's tasks admit only the load balancer, on their own port.
    for (const [service, port] of [['Web', 80], ['Api', 8080]] as const) {
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { GroupId: group(`${service}ServiceSecurityGroup`) },
      }));
      expect(ingress.map((rule) => [rule.Properties.FromPort, rule.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]]))
        .toEqual([[port, expect.stringMatching(/^WebLoadBalancerSecurityGroup/)]]);
    }
  });

  test('a load balancer in another stack can be shared', () => {
    const app = new App();
    const front = new Stack(app, 'Front');
    const back = new Stack(app, 'Back');
    const web = new PrivateFargateBehindAlb(front, 'Web');

    new PrivateFargateBehindAlb(back, 'Api', { loadBalancer: web.loadBalancer, port: 8080 });

    const template = Template.fromStack(back);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    // The listener is on the front stack's load balancer, which the back stack imports.
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8080,
      LoadBalancerArn: { 'Fn::ImportValue': Match.stringLikeRegexp('^Front:ExportsOutputRefWebLoadBalancer') },
    });
    expect(back.dependencies).toEqual([front]);
  });

  // The mistake: checking the VPC for an internet-facing load balancer (public subnets) on every service that does
  // not say internetFacing false, also on one that joins a load balancer it was given, whose scheme is not its own.
  test('a service joins a shared internal load balancer in a VPC with no public subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const web = new PrivateFargateBehindAlb(stack, 'Web', { vpc, internetFacing: false });

    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080 });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8080,
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('^WebLoadBalancer') },
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^ApiTargetGroup') } }],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [Match.objectLike({ ContainerPort: 8080 })],
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }] }) },
    });
  });

  test('two services on one port of one load balancer are refused', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { port: 8080 });

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080 }))).toThrow(
      '[TestStack/Api] port must be free on the shared loadBalancer; received 8080, which TestStack/Web already listens on. Give each service on one load balancer its own port',
    );
  });

  test('a vpc or cluster other than the shared load balancer\'s is refused; the way out, leaving it out, runs the service in that VPC', () => {
    const services = () => {
      const stack = newStack();
      return { stack, web: new PrivateFargateBehindAlb(stack, 'Web'), other: new PrivateFargateBehindAlb(stack, 'Other') };
    };

    const byVpc = services();
    expect(refusalsOf(new PrivateFargateBehindAlb(byVpc.stack, 'Api', { loadBalancer: byVpc.web.loadBalancer, vpc: byVpc.other.vpc, port: 8080 }))).toEqual([
      '[TestStack/Api] vpc must be the loadBalancer\'s VPC; received the VPC TestStack/Other/Vpc and a load balancer in the VPC TestStack/Web/Vpc. ' +
      'Leave vpc out (the service then runs in the loadBalancer\'s VPC), or give that VPC',
    ]);
    const byCluster = services();
    expect(refusalsOf(new PrivateFargateBehindAlb(byCluster.stack, 'Api', { loadBalancer: byCluster.web.loadBalancer, cluster: byCluster.other.cluster, port: 8080 }))).toEqual([
      '[TestStack/Api] cluster must be in the loadBalancer\'s VPC; received the VPC TestStack/Other/Vpc and a load balancer in the VPC TestStack/Web/Vpc. ' +
      'Give a cluster of that VPC, or leave cluster out',
    ]);
    const wayOut = services();
    const api = new PrivateFargateBehindAlb(wayOut.stack, 'Api', { loadBalancer: wayOut.web.loadBalancer, port: 8080 });
    expect(refusalsOf(api)).toEqual([]);
    expect(api.vpc).toBe(wayOut.web.vpc);
  });

  test('a shared load balancer with a certificate but no domainName is refused', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, certificate, port: 8080 }))).toThrow(
      '[TestStack/Api] You can only specify either loadBalancer or certificate without domainName: a shared load balancer serves HTTPS by host name, so give domainName too',
    );
  });

  test('a load balancer whose VPC is unknown is refused', () => {
    const stack = newStack();
    const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Imported', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/abc',
      securityGroupId: 'sg-0alb',
    });

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', { loadBalancer }))).toThrow(
      '[TestStack/Web] loadBalancer must be an Application Load Balancer with a known VPC; received one whose vpc is undefined. Import it with its VPC',
    );
  });

  test('the user\'s own load balancer can be shared', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });

    new PrivateFargateBehindAlb(stack, 'Web', { loadBalancer });
    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer, port: 8080 });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
  });

  test('a service added on a shared load balancer adds 18 resources and no load balancer', () => {
    const alone = newStack();
    new PrivateFargateBehindAlb(alone, 'Web');
    const shared = newStack();
    const web = new PrivateFargateBehindAlb(shared, 'Web');

    new PrivateFargateBehindAlb(shared, 'Api', { loadBalancer: web.loadBalancer, port: 8080 });

    const count = (stack: Stack) => Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    // Security group, its ingress from the load balancer, the load balancer's egress to it, its
    // egress to the endpoints, log group, task definition, task and execution roles (the execution
    // role's policy is in the role), service, target group, listener, scalable target, scaling policy,
    // three alarms; for the default canary deployment, the alternate target group and the production
    // listener rule. The role ECS shifts traffic with, and the function of the listener rules, are the stack's.
    expect(count(shared) - count(alone)).toBe(18);
    Template.fromStack(shared).resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
  });
});

// ALB allows one load balancer per target group (ELB quotas: "Load balancers per target group: 1"). CloudFormation creates
// the new listener before the cleanup pass deletes the old one: a target group kept across a change of load balancer is
// claimed by the new listener while the old still holds it, and the update fails (TargetGroupAssociationLimit).
describe('target groups follow their load balancer', () => {
  const targetGroupIds = (build: (stack: Stack) => void) => {
    const stack = new Stack(new App(), 'App');
    build(stack);
    return Object.keys(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).sort();
  };

  // The mistake: target groups whose ids do not depend on the load balancer (kept when it is replaced).
  test('internetFacing true → false replaces the load balancer, and the service gets new target groups with it', () => {
    const before = targetGroupIds((stack) => new PrivateFargateBehindAlb(stack, 'Web'));
    const after = targetGroupIds((stack) => new PrivateFargateBehindAlb(stack, 'Web', { internetFacing: false }));

    expect(before).toEqual(['WebAlternateTargetGroupB211FDA6', 'WebTargetGroupFE6444AE']);
    expect(after).toHaveLength(2);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
  });

  test('a service moving from its own load balancer onto another service\'s gets new target groups', () => {
    const own = targetGroupIds((stack) => {
      new PrivateFargateBehindAlb(stack, 'Web');
      new PrivateFargateBehindAlb(stack, 'Api', { port: 8080 });
    }).filter((id) => id.startsWith('Api'));
    const shared = targetGroupIds((stack) => {
      const web = new PrivateFargateBehindAlb(stack, 'Web');
      new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080 });
    }).filter((id) => id.startsWith('Api'));

    expect(shared).toHaveLength(2);
    expect(shared.filter((id) => own.includes(id))).toEqual([]);
  });

  test('on one load balancer the ids stay from one synthesis to the next, and differ between two load balancers', () => {
    const onShared = (lb: string) => targetGroupIds((stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
      const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Lb', {
        loadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${lb}/50dc6c495c0c9188`,
        securityGroupId: 'sg-0123456789abcdef0',
        loadBalancerDnsName: `${lb}-123.us-east-1.elb.amazonaws.com`,
        loadBalancerCanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
        vpc,
      });
      new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer, vpc, port: 8080 });
    });

    expect(onShared('one')).toEqual(onShared('one'));
    expect(onShared('one').filter((id) => onShared('two').includes(id))).toEqual([]);
  });
});

// The mistake: opening the load balancer to the tasks on every TCP port (or another service's port) where a service joins a
// shared HTTPS listener through a rule of the function, which aws-cdk-lib does not see as attaching its target group.
test('on a shared HTTPS listener the load balancer sends to each service\'s tasks on that service\'s port only', () => {
  const stack = newStack();
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
  const web = new PrivateFargateBehindAlb(stack, 'Web', { certificate, domainName: 'web.example.com' });
  new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, certificate, domainName: 'api.example.com', port: 8080 });

  const template = Template.fromStack(stack);
  const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress', {
    Properties: { GroupId: group('^WebLoadBalancerSecurityGroup') },
  })).map((rule) => [rule.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''), rule.Properties.IpProtocol, rule.Properties.FromPort, rule.Properties.ToPort]);
  expect(egress.sort()).toEqual([['ApiServiceSecurityGroup', 'tcp', 8080, 8080], ['WebServiceSecurityGroup', 'tcp', 80, 80]]);
});

// The construct ids of the target groups are their logical ids in every template users have deployed: a
// release of this library that changed them would replace the running services' target groups on upgrade.
// They are pinned here, as the library has released them.
test('the target groups keep their ids on each kind of load balancer: own, own internal, another service\'s, imported', () => {
  const stack = newStack();
  const web = new PrivateFargateBehindAlb(stack, 'Web');
  const internal = new PrivateFargateBehindAlb(stack, 'Internal', { vpc: web.vpc, internetFacing: false });
  const shared = new PrivateFargateBehindAlb(stack, 'Shared', { loadBalancer: web.loadBalancer, port: 8080 });
  const imported = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
    loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188',
    securityGroupId: 'sg-0123456789abcdef0',
    vpc: web.vpc,
    loadBalancerDnsName: 'my-alb-1.us-east-1.elb.amazonaws.com',
  });
  const onImported = new PrivateFargateBehindAlb(stack, 'OnImported', { loadBalancer: imported, port: 8081 });

  const ids = (service: PrivateFargateBehindAlb) => [service.node.id, service.targetGroup.node.id, service.alternateTargetGroup?.node.id];
  expect([web, internal, shared, onImported].map(ids)).toEqual([
    ['Web', 'TargetGroup', 'AlternateTargetGroup'],
    ['Internal', 'TargetGroup919E4C05', 'AlternateTargetGroup919E4C05'],
    ['Shared', 'TargetGroup033F18D1', 'AlternateTargetGroup033F18D1'],
    ['OnImported', 'TargetGroup94BE0D24', 'AlternateTargetGroup94BE0D24'],
  ]);
});
