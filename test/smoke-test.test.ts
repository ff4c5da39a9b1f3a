/**
 * The smoke test of a verified release: the test rule, the lifecycle hook that runs it, the network path of the
 * function, and the refusals of what could not work, each with a way out that synthesizes.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { listenerRules, newStack, RuleView, refusalsOf, synthesized, vpcWithBothPrivateKinds } from './helpers';
import { Deployment, DeploymentHook, PauseTimeoutAction, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps, SmokeTest } from '../src';

const IMAGE = ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1');
const HEADER = 'x-private-fargate-smoke-test';

/** The template of a stack with the service Web made with `props`, and the stack. */
function web(props: PrivateFargateBehindAlbProps = {}, stack: Stack = newStack()): { template: Template; stack: Stack } {
  synthesized(new PrivateFargateBehindAlb(stack, 'Web', { image: IMAGE, ...props }));
  return { template: Template.fromStack(stack), stack };
}

/** The refusals of Web made with `props`. */
const refusals = (props: PrivateFargateBehindAlbProps, stack: Stack = newStack()) =>
  refusalsOf(new PrivateFargateBehindAlb(stack, 'Web', { image: IMAGE, ...props }));

const rule = (template: Template, prefix: string): RuleView => {
  const rules = listenerRules(template).filter((r) => r.id.startsWith(prefix));
  expect(rules).toHaveLength(1);
  return rules[0];
};
const service = (template: Template) => Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
const resourceOf = (template: Template, id: string) => template.toJSON().Resources[id];

/** The hook's details, their references written as `<logicalId>` and `<logicalId.Attribute>`. */
function hookDetails(template: Template): any {
  const details = service(template).DeploymentConfiguration.LifecycleHooks[0].HookDetails;
  const parts: unknown[] = details['Fn::Join'][1];
  return JSON.parse(parts.map((p: any) => (typeof p === 'string' ? p : p.Ref ? `<${p.Ref}>` : `<${p['Fn::GetAtt'].join('.')}>`)).join(''));
}

const SMOKE = SmokeTest.http({ path: '/health' });

describe('the test rule', () => {
  test('the production rule\'s listener, match and target groups, one priority before it, and the header in the template by its name only', () => {
    const { template } = web({ smokeTest: SMOKE });
    const production = rule(template, 'WebProductionRule');
    const test = rule(template, 'WebTestRule');
    const { listener, paths, hosts, targetGroups } = production;
    expect(test).toMatchObject({ listener, paths, hosts, targetGroups });
    expect(test.targetGroups.map(([id, weight]) => [id.replace(/[0-9A-F]{8}$/, ''), weight])).toEqual([['WebTargetGroup', 100], ['WebAlternateTargetGroup', 0]]);
    expect([production.priority, test.priority]).toEqual([50000, 49999]);
    const properties = resourceOf(template, test.id).Properties;
    expect(properties.SecretHeader).toBe(HEADER);
    // The value is drawn by the function: no condition of the template names the header.
    const fields = Object.values(template.findResources('Custom::PrivateFargateListenerRule')).flatMap((r) => r.Properties.Conditions.map((c: any) => c.Field));
    expect(fields).toEqual(['path-pattern', 'path-pattern']);
    expect(resourceOf(template, production.id).Properties.SecretHeader).toBeUndefined();
  });

  test('the service names it as its test listener rule, beside the production rule', () => {
    const { template } = web({ smokeTest: SMOKE });
    const advanced = service(template).LoadBalancers[0].AdvancedConfiguration;
    expect(advanced.TestListenerRule).toEqual({ Ref: rule(template, 'WebTestRule').id });
    expect(advanced.ProductionListenerRule).toEqual({ Ref: rule(template, 'WebProductionRule').id });
  });

  test('with a domain, on the HTTPS listener: the host of the domain, at 49999', () => {
    const stack = newStack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const { template } = web({ smokeTest: SMOKE, domainName: 'shop.example.com', hostedZone }, stack);
    const test = rule(template, 'WebTestRule');
    expect(test).toMatchObject({ priority: 49999, hosts: ['shop.example.com'], listener: rule(template, 'WebProductionRule').listener });
    expect(hookDetails(template).SmokeTest).toMatchObject({ Url: '<WebLoadBalancer8E8983B1.DNSName>'.replace(/<(.*)>/, 'https://<$1>'), Host: 'shop.example.com' });
  });

  test('on a shared HTTPS listener: the host rule\'s host and paths, one priority before it', () => {
    const stack = newStack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const front = new PrivateFargateBehindAlb(stack, 'Shop', { image: IMAGE, domainName: 'shop.example.com', hostedZone });
    new PrivateFargateBehindAlb(stack, 'Api', {
      image: IMAGE,
      loadBalancer: front.loadBalancer,
      domainName: 'api.example.com',
      hostedZone,
      port: 8080,
      pathPatterns: ['/v1/*', '/v2/*', '/v3/*'],
      smokeTest: SmokeTest.http({ path: '/v2/health' }),
    });
    const template = Template.fromStack(synthesized(stack));
    const host = rule(template, 'ApiHostRule');
    const test = rule(template, 'ApiTestRule');
    expect(test).toMatchObject({ listener: host.listener, hosts: ['api.example.com'], paths: ['/v1/*', '/v2/*', '/v3/*'], priority: host.priority - 1 });
    // Its header makes five condition values, ELB's most per rule.
    expect(test.hosts!.length + test.paths!.length + 1).toBe(5);
  });

  test('a path the service\'s pathPatterns do not match is refused (another rule would answer it); a path under them synthesizes', () => {
    const build = (path: string) => {
      const stack = newStack();
      const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
      const front = new PrivateFargateBehindAlb(stack, 'Shop', { image: IMAGE, domainName: 'shop.example.com', hostedZone });
      return new PrivateFargateBehindAlb(stack, 'Api', {
        image: IMAGE,
        loadBalancer: front.loadBalancer,
        domainName: 'shop.example.com',
        hostedZone,
        port: 8080,
        pathPatterns: ['/api/*', '/V?/*'],
        smokeTest: SmokeTest.requests([{ path: '/api/health?deep=1' }, { path }]),
      });
    };
    expect(refusalsOf(build('/health'))).toEqual([
      '[TestStack/Api] smokeTest requests[1] path must be one the service\'s pathPatterns match, or the test rule would not match it and another rule ' +
      'would answer; received /health with the pathPatterns /api/*, /V?/*. Give a path under them, such as /api/health',
    ]);
    // Paths match in their case, `?` one character.
    expect(refusalsOf(build('/v1/status'))).toHaveLength(1);
    expect(refusalsOf(build('/V1/status'))).toEqual([]);
  });

  test('one request whose path the pathPatterns do not match: the message names smokeTest, and a path the first pattern matches, its ? filled in', () => {
    const stack = newStack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const front = new PrivateFargateBehindAlb(stack, 'Shop', { image: IMAGE, domainName: 'shop.example.com', hostedZone });
    const api = new PrivateFargateBehindAlb(stack, 'Api', {
      image: IMAGE,
      loadBalancer: front.loadBalancer,
      domainName: 'shop.example.com',
      hostedZone,
      port: 8080,
      pathPatterns: ['/v?/*'],
      smokeTest: SmokeTest.http({ path: '/health' }),
    });
    expect(refusalsOf(api)).toEqual([
      '[TestStack/Api] smokeTest path must be one the service\'s pathPatterns match, or the test rule would not match it and another rule ' +
      'would answer; received /health with the pathPatterns /v?/*. Give a path under them, such as /va/health',
    ]);
  });

  test('a wildcard domainName: the smoke test names a host it matches, for Host and TLS', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000');
    const { template } = web({ smokeTest: SMOKE, domainName: '*.example.com', certificate }, stack);
    expect(hookDetails(template).SmokeTest.Host).toBe('smoke-test.example.com');
  });

  test('a shared service whose rulePriority is the owner\'s test rule\'s is refused, naming it; another priority synthesizes', () => {
    const build = (rulePriority: number) => {
      const stack = newStack();
      const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
      const front = new PrivateFargateBehindAlb(stack, 'Shop', { image: IMAGE, domainName: 'shop.example.com', hostedZone, smokeTest: SMOKE });
      return new PrivateFargateBehindAlb(stack, 'Api', { image: IMAGE, loadBalancer: front.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080, rulePriority });
    };
    expect(refusalsOf(build(49999))).toEqual([
      '[TestStack/Api] rulePriority must be unique on the listener; received 49999 for the host api.example.com, which TestStack/Shop already holds for ' +
      'the test rule of its smoke test on the host shop.example.com. Give one of the two services a rulePriority of its own, from 1 to 49999 (a lower number is evaluated first)',
    ]);
    expect(refusalsOf(build(49998))).toEqual([]);
  });

  test('a shared service with a smoke test whose test rule\'s priority another service holds is refused; a rulePriority with a free number below synthesizes', () => {
    const build = (rulePriority: number) => {
      const stack = newStack();
      const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
      const front = new PrivateFargateBehindAlb(stack, 'Shop', { image: IMAGE, domainName: 'shop.example.com', hostedZone });
      new PrivateFargateBehindAlb(stack, 'Api', { image: IMAGE, loadBalancer: front.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080, rulePriority: 10 });
      return new PrivateFargateBehindAlb(stack, 'Admin', {
        image: IMAGE, loadBalancer: front.loadBalancer, domainName: 'admin.example.com', hostedZone, port: 8081, rulePriority, smokeTest: SMOKE,
      });
    };
    expect(refusalsOf(build(11))).toEqual([
      '[TestStack/Admin] smokeTest puts its test rule just before the service\'s own rule, at priority 10; TestStack/Api holds it for the host api.example.com. ' +
      'Give this service a rulePriority from 2 to 49999 whose number just below is free (received 11), or leave smokeTest out',
    ]);
    expect(refusalsOf(build(1))[0]).toMatch(/at priority 0; no rule has a priority below 1\. Give this service a rulePriority from 2 to 49999/);
    expect(refusalsOf(build(12))).toEqual([]);
  });
});

describe('the hook', () => {
  test('ECS calls the stack\'s traffic function at POST_TEST_TRAFFIC_SHIFT with the ECS role, which may invoke that function only', () => {
    const { template } = web({ smokeTest: SMOKE });
    const [hook] = service(template).DeploymentConfiguration.LifecycleHooks;
    const functionId = Object.keys(template.findResources('AWS::Lambda::Function'))[0];
    const ecsRoleId = service(template).LoadBalancers[0].AdvancedConfiguration.RoleArn['Fn::GetAtt'][0];
    expect(hook).toMatchObject({
      HookTargetArn: { 'Fn::GetAtt': [functionId, 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [ecsRoleId, 'Arn'] },
      LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
      // ECS rolls back when no verdict comes 5 minutes after the deadline.
      TimeoutConfiguration: { TimeoutInMinutes: 10, Action: 'ROLLBACK' },
    });
    expect(resourceOf(template, ecsRoleId).Properties.Policies).toEqual([{
      PolicyName: 'LifecycleHooks',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [functionId, 'Arn'] }] }] },
    }]);
  });

  test('its details: the test rule, the header\'s name, the load balancer\'s URL, each request with what it expects, the count and the deadline', () => {
    const { template } = web({
      listenerPort: 8080,
      smokeTest: SmokeTest.requests([
        { path: '/health' },
        { path: '/orders', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', expectStatus: 201, expectBodyContains: 'id' },
      ], { requestCount: 2, deadline: Duration.minutes(10) }),
    });
    const lb = Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
    expect(hookDetails(template)).toEqual({
      SmokeTest: {
        TestRule: `<${rule(template, 'WebTestRule').id}>`,
        Header: HEADER,
        Url: `http://<${lb}.DNSName>:8080`,
        Requests: [
          { Path: '/health', ExpectStatus: 200 },
          { Path: '/orders', Method: 'POST', Headers: { 'content-type': 'application/json' }, Body: '{}', ExpectStatus: 201, ExpectBodyContains: 'id' },
        ],
        Count: 2,
        DeadlineSeconds: 600,
      },
    });
  });

  test('the defaults: 3 times each request, 5 minutes, 200 expected, port 80 left out of the URL', () => {
    const { template } = web({ smokeTest: SMOKE });
    expect(hookDetails(template).SmokeTest).toMatchObject({ Count: 3, DeadlineSeconds: 300, Requests: [{ Path: '/health', ExpectStatus: 200 }] });
    expect(hookDetails(template).SmokeTest.Url).toMatch(/^http:\/\/<WebLoadBalancer\w+\.DNSName>$/);
  });

  test('SmokeTest.http() passes its requestCount and deadline on; the request keeps the rest', () => {
    const smokeTest = SmokeTest.http({ path: '/ready', method: 'HEAD', requestCount: 5, deadline: Duration.minutes(2) });
    const { template } = web({ smokeTest });
    expect(hookDetails(template).SmokeTest).toMatchObject({ Count: 5, DeadlineSeconds: 120, Requests: [{ Path: '/ready', Method: 'HEAD', ExpectStatus: 200 }] });
    expect(service(template).DeploymentConfiguration.LifecycleHooks[0].TimeoutConfiguration).toEqual({ TimeoutInMinutes: 7, Action: 'ROLLBACK' });
  });

  test('with a certificate and no domain: HTTPS on 443, left out of the URL, and no Host', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000');
    const { template } = web({ smokeTest: SMOKE, certificate }, stack);
    expect(hookDetails(template).SmokeTest.Url).toMatch(/^https:\/\/<WebLoadBalancer\w+\.DNSName>$/);
    expect(hookDetails(template).SmokeTest.Host).toBeUndefined();
  });

  test('the same template whatever the order of a request\'s headers', () => {
    const of = (headers: Record<string, string>) => JSON.stringify(web({ smokeTest: SmokeTest.http({ path: '/', headers }) }).template.toJSON());
    expect(of({ b: '1', a: '2' })).toEqual(of({ a: '2', b: '1' }));
  });

  test('without a smoke test: no test rule, no policy on the ECS role, and no hook, written as [] (ECS keeps hooks a template stops naming)', () => {
    for (const deployment of [Deployment.canary(), Deployment.rolling()]) {
      expect(service(web({ deployment }).template).DeploymentConfiguration.LifecycleHooks).toEqual([]);
    }
    const { template } = web();
    expect(listenerRules(template).map((r) => r.id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['WebProductionRule']);
    expect(service(template).LoadBalancers[0].AdvancedConfiguration.TestListenerRule).toBeUndefined();
    const ecsRoleId = service(template).LoadBalancers[0].AdvancedConfiguration.RoleArn['Fn::GetAtt'][0];
    expect(resourceOf(template, ecsRoleId).Properties.Policies).toBeUndefined();
  });

  test('a hook of the app\'s own, at any stage, comes after the smoke test\'s, with the role aws-cdk-lib makes and no details', () => {
    const stack = newStack();
    const made = new PrivateFargateBehindAlb(stack, 'Web', { image: IMAGE, smokeTest: SMOKE });
    const approval = new lambda.Function(stack, 'Approval', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });') });
    made.service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(approval, 'Approval', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT] }));
    const template = Template.fromStack(synthesized(stack));
    const hooks = service(template).DeploymentConfiguration.LifecycleHooks;
    expect(hooks).toHaveLength(2);
    expect(hooks[0].HookDetails).toBeDefined();
    const approvalId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('Approval'))!;
    expect(hooks[1]).toEqual({
      HookTargetArn: { 'Fn::GetAtt': [approvalId, 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [expect.not.stringMatching(/^PrivateFargateTrafficControl/), 'Arn'] },
      LifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'],
    });
  });

  test('two services of a stack with smoke tests share the function and the role\'s one policy, each with its own hook and test rule', () => {
    const stack = newStack();
    const front = new PrivateFargateBehindAlb(stack, 'Web', { image: IMAGE, smokeTest: SMOKE });
    new PrivateFargateBehindAlb(stack, 'Api', { image: IMAGE, loadBalancer: front.loadBalancer, port: 8080, smokeTest: SMOKE });
    const template = Template.fromStack(synthesized(stack));
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(listenerRules(template).filter((r) => /TestRule/.test(r.id))).toHaveLength(2);
    const roles = Object.values(template.findResources('AWS::IAM::Role')).filter((r) => r.Properties.Policies?.some((p: any) => p.PolicyName === 'LifecycleHooks'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.Policies).toHaveLength(1);
  });
});

describe('the function reaches the load balancer', () => {
  test('an internal load balancer, from the function in the VPC: its security group admits the function\'s on the listener port, and the function\'s sends there', () => {
    const { template } = web({ smokeTest: SMOKE, internetFacing: false, trafficFunctionInVpc: true });
    const groups = template.toJSON().Resources;
    const [functionGroup] = Object.keys(template.findResources('AWS::EC2::SecurityGroup')).filter((id) => id.startsWith('PrivateFargateTrafficControlSecurityGroup'));
    const [lbGroup] = Object.keys(template.findResources('AWS::EC2::SecurityGroup')).filter((id) => id.startsWith('WebLoadBalancerSecurityGroup'));
    const ingress = Object.values<any>(groups).filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress'
      && r.Properties.GroupId['Fn::GetAtt']?.[0] === lbGroup && r.Properties.SourceSecurityGroupId?.['Fn::GetAtt']?.[0] === functionGroup);
    expect(ingress.map((r) => [r.Properties.FromPort, r.Properties.ToPort])).toEqual([[80, 80]]);
    const egress = Object.values<any>(groups).filter((r) => r.Type === 'AWS::EC2::SecurityGroupEgress'
      && r.Properties.GroupId['Fn::GetAtt']?.[0] === functionGroup && r.Properties.DestinationSecurityGroupId?.['Fn::GetAtt']?.[0] === lbGroup);
    expect(egress.map((r) => [r.Properties.FromPort, r.Properties.ToPort])).toEqual([[80, 80]]);
    expect([...ingress, ...egress].map((r) => r.Properties.Description)).toEqual(['The smoke test of the traffic function', 'The smoke test of the traffic function']);
    expect(groups[functionGroup].Properties.GroupDescription).toMatch(/, and the smoke tests to the load balancers$/);
  });

  test('an internet-facing load balancer, from outside the VPC: no rule added (the listener admits anyone)', () => {
    const { template } = web({ smokeTest: SMOKE });
    expect(Object.keys(template.findResources('AWS::EC2::SecurityGroup')).filter((id) => id.startsWith('PrivateFargateTrafficControl'))).toEqual([]);
  });
});

describe('refusals, each with a way out that synthesizes', () => {
  test('HEAD without a body check synthesizes', () => {
    expect(refusals({ smokeTest: SmokeTest.http({ path: '/', method: 'HEAD' }) })).toEqual([]);
  });

  test('a rolling deployment, which sends no test traffic', () => {
    expect(refusals({ smokeTest: SMOKE, deployment: Deployment.rolling() })).toEqual([
      '[TestStack/Web] smokeTest needs the test traffic ECS sends only in canary, linear and blue/green deployments; received smokeTest with ' +
      'deployment Deployment.rolling(). Give deployment: Deployment.canary() (the default), Deployment.linear() or Deployment.blueGreen(), or leave smokeTest out',
    ]);
    for (const deployment of [Deployment.canary(), Deployment.linear(), Deployment.blueGreen()]) {
      expect(refusals({ smokeTest: SMOKE, deployment })).toEqual([]);
    }
  });

  test('an internal load balancer with the function outside the VPC', () => {
    expect(refusals({ smokeTest: SMOKE, internetFacing: false })).toEqual([
      '[TestStack/Web] smokeTest requests an internal load balancer, which only the VPC reaches, from the stack\'s traffic function; received ' +
      'trafficFunctionInVpc false. Give trafficFunctionInVpc: true (the function then runs in the task subnets), or leave smokeTest out',
    ]);
    expect(refusals({ smokeTest: SMOKE, internetFacing: false, trafficFunctionInVpc: true })).toEqual([]);
  });

  test('an internet-facing load balancer with the function in subnets with no route to the internet', () => {
    expect(refusals({ smokeTest: SMOKE, trafficFunctionInVpc: true })[0]).toMatch(
      /^\[TestStack\/Web\] smokeTest requests an internet-facing load balancer at its public addresses, .* received trafficFunctionInVpc true in such subnets\. Give taskSubnets with a NAT gateway, or leave trafficFunctionInVpc at false on every service/);
    expect(refusals({ smokeTest: SMOKE, trafficFunctionInVpc: false })).toEqual([]);
    expect(refusals({ smokeTest: SMOKE, trafficFunctionInVpc: true, internetFacing: false })).toEqual([]);
  });

  test('the function in the task subnets: each must have a route to the internet for an internet-facing load balancer', () => {
    const refusalsIn = (taskSubnets: (vpc: ec2.Vpc) => ec2.SubnetSelection) => {
      const stack = newStack();
      const vpc = vpcWithBothPrivateKinds(stack);
      return refusals({ smokeTest: SMOKE, vpc, taskSubnets: taskSubnets(vpc), trafficFunctionInVpc: true }, stack);
    };
    const refused = '[TestStack/Web] smokeTest requests an internet-facing load balancer at its public addresses, which subnets with no route to the internet ' +
      'cannot reach; received trafficFunctionInVpc true in such subnets. Give taskSubnets with a NAT gateway, or leave trafficFunctionInVpc ' +
      'at false on every service of the stack (the function then calls from outside the VPC), or give internetFacing: false';
    expect(refusalsIn(() => ({ subnetGroupName: 'Isolated' }))).toEqual([refused]);
    // One subnet of each kind: the function could land in the isolated one.
    expect(refusalsIn((vpc) => ({ subnets: [vpc.selectSubnets({ subnetGroupName: 'Egress' }).subnets[0], vpc.selectSubnets({ subnetGroupName: 'Isolated' }).subnets[1]] })))
      .toEqual([refused]);
    expect(refusalsIn(() => ({ subnetGroupName: 'Egress' }))).toEqual([]);
  });

  test('on a load balancer given to the service, its own scheme decides, and the way out does not offer internetFacing', () => {
    const stack = newStack();
    const owner = new PrivateFargateBehindAlb(stack, 'Owner', { image: IMAGE, internetFacing: false });
    expect(refusals({ smokeTest: SMOKE, loadBalancer: owner.loadBalancer, port: 8080 }, stack)).toEqual([
      '[TestStack/Web] smokeTest requests an internal load balancer, which only the VPC reaches, from the stack\'s traffic function; received ' +
      'trafficFunctionInVpc false. Give trafficFunctionInVpc: true (the function then runs in the task subnets), or leave smokeTest out',
    ]);
    const publicStack = newStack();
    const publicOwner = new PrivateFargateBehindAlb(publicStack, 'Owner', { image: IMAGE, trafficFunctionInVpc: true });
    const found = refusals({ smokeTest: SMOKE, loadBalancer: publicOwner.loadBalancer, port: 8080, trafficFunctionInVpc: true }, publicStack);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/received trafficFunctionInVpc true in such subnets\. .*\(the function then calls from outside the VPC\)$/);
    // A load balancer of the app's own, internet-facing, from outside the VPC: nothing to refuse.
    const ownStack = newStack();
    const vpc = new ec2.Vpc(ownStack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const mine = new elbv2.ApplicationLoadBalancer(ownStack, 'Alb', { vpc, internetFacing: true });
    expect(refusals({ smokeTest: SMOKE, vpc, loadBalancer: mine }, ownStack)).toEqual([]);
    const internalStack = newStack();
    const internalVpc = new ec2.Vpc(internalStack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const internal = new elbv2.ApplicationLoadBalancer(internalStack, 'Alb', { vpc: internalVpc, internetFacing: false });
    expect(refusals({ smokeTest: SMOKE, vpc: internalVpc, loadBalancer: internal }, internalStack)[0]).toMatch(/^\[TestStack\/Web\] smokeTest requests an internal load balancer/);
  });

  test('a load balancer imported by its attributes, whose scheme the app does not know: the smoke test synthesizes', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/0123456789abcdef',
      securityGroupId: 'sg-0123456789abcdef0',
      loadBalancerDnsName: 'shop-123.us-east-1.elb.amazonaws.com',
      vpc,
    });
    const found = refusals({
      smokeTest: SMOKE,
      vpc,
      loadBalancer,
      domainName: 'shop.example.com',
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000'),
    }, stack);
    expect(found).toEqual([]);
  });

  test('allowFrom without the addresses of AWS Lambda outside the VPC: the message names them and what was received', () => {
    expect(refusals({ smokeTest: SMOKE, allowFrom: [ec2.Peer.ipv4('203.0.113.0/24'), ec2.Peer.ipv4('198.51.100.0/24')] })).toEqual([
      '[TestStack/Web] smokeTest sends its requests to the internet-facing load balancer from the stack\'s traffic function, which calls from ' +
      'AWS Lambda\'s addresses outside the VPC; received allowFrom 203.0.113.0/24, 198.51.100.0/24, without them, so the test could never reach ' +
      'the load balancer. Leave allowFrom out, or add ec2.Peer.anyIpv4() to it, or leave smokeTest out',
    ]);
  });

  test('allowFrom that leaves out the function\'s addresses', () => {
    expect(refusals({ smokeTest: SMOKE, allowFrom: [ec2.Peer.ipv4('203.0.113.0/24')] })[0]).toMatch(
      /received allowFrom 203\.0\.113\.0\/24, without them, so the test could never reach the load balancer\. Leave allowFrom out, or add ec2\.Peer\.anyIpv4\(\) to it/);
    expect(refusals({ smokeTest: SMOKE, allowFrom: [ec2.Peer.ipv4('203.0.113.0/24'), ec2.Peer.anyIpv4()] })).toEqual([]);
    // An internal load balancer admits the function's security group whatever allowFrom says.
    expect(refusals({ smokeTest: SMOKE, allowFrom: [ec2.Peer.ipv4('10.20.0.0/16')], internetFacing: false, trafficFunctionInVpc: true })).toEqual([]);
  });

  test('the function in subnets with a NAT gateway: it calls from the gateways\' addresses, so allowFrom must admit them; without allowFrom it sends through the NAT', () => {
    const egressVpc = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
    });
    const refusedStack = newStack();
    expect(refusals({ smokeTest: SMOKE, vpc: egressVpc(refusedStack), trafficFunctionInVpc: true, allowFrom: [ec2.Peer.ipv4('203.0.113.0/24')] }, refusedStack)[0])
      .toMatch(/which calls from the public addresses of the VPC's NAT gateways; received allowFrom 203\.0\.113\.0\/24, without them/);
    const stack = newStack();
    const { template } = web({ smokeTest: SMOKE, vpc: egressVpc(stack), trafficFunctionInVpc: true }, stack);
    const [functionGroup] = Object.entries(template.findResources('AWS::EC2::SecurityGroup')).filter(([id]) => id.startsWith('PrivateFargateTrafficControlSecurityGroup'));
    expect(functionGroup[1].Properties.SecurityGroupEgress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80, IpProtocol: 'tcp', Description: 'The smoke test, to the load balancer\'s public addresses' }),
    ]));
  });

  test.each([
    ['a path without its /', SmokeTest.http({ path: 'health' }), /smokeTest path must start with \/ .*received "health"\. Give a path such as \/health/, SmokeTest.http({ path: '/health' })],
    ['a path with a space', SmokeTest.http({ path: '/a b' }), /received "\/a b"/, SmokeTest.http({ path: '/a%20b' })],
    ['a path with its / later', SmokeTest.http({ path: 'v1/health' }), /received "v1\/health"/, SmokeTest.http({ path: '/v1/health' })],
    ['a method in lower case', SmokeTest.http({ path: '/', method: 'get' }), /smokeTest method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; received "get"/, SmokeTest.http({ path: '/', method: 'GET' })],
    ['a Host header', SmokeTest.http({ path: '/', headers: { Host: 'shop.example.com' } }), /received the header "Host"\. Remove it, and give the service a domainName/, SmokeTest.http({ path: '/' })],
    ['the test\'s own header', SmokeTest.http({ path: '/', headers: { [HEADER]: 'x' } }), /which the test sets; received the header "x-private-fargate-smoke-test"/, SmokeTest.http({ path: '/', headers: { 'x-test': 'x' } })],
    ['a header value with a line break', SmokeTest.http({ path: '/', headers: { 'x-a': 'a\r\nb' } }), /headers must not hold line breaks or NUL; received them in the header x-a/, SmokeTest.http({ path: '/', headers: { 'x-a': 'a b' } })],
    ['a Content-Length header', SmokeTest.http({ path: '/', headers: { 'Content-Length': '3' } }), /received the header "Content-Length"\. Remove it: the test sets it/,
      SmokeTest.http({ path: '/' })],
    ['a header name with a space', SmokeTest.http({ path: '/', headers: { 'x trace': '1' } }),
      /^\[TestStack\/Web\] smokeTest headers must have HTTP names \(letters, digits and symbols such as - and _\) and not be host, content-length, transfer-encoding, connection, x-private-fargate-smoke-test, which the test sets; received the header "x trace"\. Rename it with letters, digits and - only$/,
      SmokeTest.http({ path: '/', headers: { 'x-trace': '1' } })],
    ['expectStatus 503, which the load balancer answers', SmokeTest.http({ path: '/', expectStatus: 503 }),
      /smokeTest expectStatus must not be 502, 503, 504, which the load balancer answers while the new tasks do not; received 503/, SmokeTest.http({ path: '/', expectStatus: 200 })],
    ['HEAD with a body check', SmokeTest.http({ path: '/', method: 'HEAD', expectBodyContains: 'ok' }),
      /smokeTest expectBodyContains needs a body, which an answer to HEAD has not; received method HEAD with expectBodyContains\. Give method GET/,
      SmokeTest.http({ path: '/', method: 'GET', expectBodyContains: 'ok' })],
    ['requestCount 0', SmokeTest.http({ path: '/', requestCount: 0 }), /smokeTest requestCount must be an integer from 1 to 10; received 0/, SmokeTest.http({ path: '/', requestCount: 1 })],
    ['requestCount 11', SmokeTest.http({ path: '/', requestCount: 11 }), /received 11/, SmokeTest.http({ path: '/', requestCount: 10 })],
    ['a deadline under a minute', SmokeTest.http({ path: '/', deadline: Duration.seconds(30) }), /smokeTest deadline must be a whole number of seconds from 60 to 3600; received 30 seconds/, SmokeTest.http({ path: '/', deadline: Duration.seconds(60) })],
    ['a deadline over an hour', SmokeTest.http({ path: '/', deadline: Duration.minutes(61) }), /received 3660 seconds/, SmokeTest.http({ path: '/', deadline: Duration.hours(1) })],
    ['expectStatus 99', SmokeTest.http({ path: '/', expectStatus: 99 }), /smokeTest expectStatus must be an integer from 100 to 599; received 99/, SmokeTest.http({ path: '/', expectStatus: 100 })],
    ['no request', SmokeTest.requests([]), /smokeTest must send 1 to 10 requests; received 0/, SmokeTest.requests([{ path: '/' }])],
    ['11 requests', SmokeTest.requests(Array.from({ length: 11 }, () => ({ path: '/' }))), /received 11/, SmokeTest.requests(Array.from({ length: 10 }, () => ({ path: '/' })))],
    ['the second request\'s path', SmokeTest.requests([{ path: '/' }, { path: 'x' }]), /^\[TestStack\/Web\] smokeTest requests\[1\] path must start with \//, SmokeTest.requests([{ path: '/' }, { path: '/x' }])],
  ])('%s', (_name, smokeTest, message, wayOut) => {
    const found = refusals({ smokeTest });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
    expect(found[0]).toMatch(/^\[TestStack\/Web\] smokeTest/);
    expect(refusals({ smokeTest: wayOut })).toEqual([]);
  });
});

describe('hooks of the app\'s own (deploymentHooks)', () => {
  const PAUSE = DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP] });
  const fn = (stack: Stack, id: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
  });

  test('a function and a pause, after the smoke test\'s hook, in their order; the ECS role may invoke both functions and nothing else', () => {
    const stack = newStack();
    const approval = fn(stack, 'Approval');
    const { template } = web({
      smokeTest: SMOKE,
      deploymentHooks: [
        DeploymentHook.lambdaFunction(approval, { stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], details: { table: 'orders', bucket: 'reports' } }),
        DeploymentHook.pause({
          stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT], timeout: Duration.hours(4), timeoutAction: PauseTimeoutAction.CONTINUE,
        }),
      ],
    }, stack);
    const [smoke, mine, pause] = service(template).DeploymentConfiguration.LifecycleHooks;
    const ecsRoleId = service(template).LoadBalancers[0].AdvancedConfiguration.RoleArn['Fn::GetAtt'][0];
    const approvalId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('Approval'))!;
    const ownFunctionId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('PrivateFargateTrafficControl'))!;
    expect(smoke.LifecycleStages).toEqual(['POST_TEST_TRAFFIC_SHIFT']);
    expect(mine).toEqual({
      HookTargetArn: { 'Fn::GetAtt': [approvalId, 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [ecsRoleId, 'Arn'] },
      LifecycleStages: ['POST_SCALE_UP'],
      HookDetails: '{"bucket":"reports","table":"orders"}',
    });
    expect(pause).toEqual({ TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: 240, Action: 'CONTINUE' } });
    expect(resourceOf(template, ecsRoleId).Properties.Policies[0].PolicyDocument.Statement).toEqual([{
      Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [ownFunctionId, 'Arn'] }, { 'Fn::GetAtt': [approvalId, 'Arn'] }],
    }]);
  });

  test('one function hooked at two stages and by two services: the ECS role names it once', () => {
    const stack = newStack();
    const approval = fn(stack, 'Approval');
    const hooks = [
      DeploymentHook.lambdaFunction(approval, { stages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP] }),
      DeploymentHook.lambdaFunction(approval, { stages: [ecs.DeploymentLifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT] }),
    ];
    const first = new PrivateFargateBehindAlb(stack, 'Web', { image: IMAGE, deploymentHooks: hooks });
    new PrivateFargateBehindAlb(stack, 'Api', { image: IMAGE, vpc: first.vpc, port: 8080, deploymentHooks: hooks });
    const template = Template.fromStack(stack);
    const approvalId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('Approval'))!;
    const ecsRoleId = service(template).LoadBalancers[0].AdvancedConfiguration.RoleArn['Fn::GetAtt'][0];
    expect(resourceOf(template, ecsRoleId).Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [approvalId, 'Arn'] }] },
    ]);
  });

  test('without a smoke test, the ECS role may invoke the app\'s function only; a pause\'s defaults: one day, then roll back', () => {
    const stack = newStack();
    const approval = fn(stack, 'Approval');
    const { template } = web({
      deploymentHooks: [
        DeploymentHook.lambdaFunction(approval, { stages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP] }),
        DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT] }),
      ],
    }, stack);
    const hooks = service(template).DeploymentConfiguration.LifecycleHooks;
    expect(hooks.map((h: any) => h.LifecycleStages[0])).toEqual(['PRE_SCALE_UP', 'POST_PRODUCTION_TRAFFIC_SHIFT']);
    expect(hooks[0].HookDetails).toBeUndefined();
    expect(hooks[1].TimeoutConfiguration).toEqual({ TimeoutInMinutes: 1440, Action: 'ROLLBACK' });
    const ecsRoleId = service(template).LoadBalancers[0].AdvancedConfiguration.RoleArn['Fn::GetAtt'][0];
    const approvalId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('Approval'))!;
    expect(resourceOf(template, ecsRoleId).Properties.Policies[0].PolicyDocument.Statement[0].Resource).toEqual([{ 'Fn::GetAtt': [approvalId, 'Arn'] }]);
    // The stack's function sends no smoke test: its security group (in a VPC) would say so; here it has none.
    expect(listenerRules(template).filter((r) => /TestRule/.test(r.id))).toEqual([]);
  });

  test.each([
    ['with Deployment.rolling()', () => ({ deployment: Deployment.rolling(), deploymentHooks: [PAUSE] }),
      /deploymentHooks run in the stages of canary, linear and blue\/green deployments; received deploymentHooks with deployment Deployment.rolling\(\)/,
      () => ({ deployment: Deployment.blueGreen(), deploymentHooks: [PAUSE] })],
    ['no stage', () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [] })] }), /deploymentHooks\[0\] stages must name at least one stage; received none/,
      () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP] })] })],
    ['a pause of 15 days', () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], timeout: Duration.days(15) })] }),
      /deploymentHooks\[0\] timeout must be whole minutes from 1 to 20160 \(14 days\); received 15 days/,
      () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], timeout: Duration.days(14) })] })],
    ['a pause of 0 minutes', () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], timeout: Duration.minutes(0) })] }),
      /deploymentHooks\[0\] timeout must be whole minutes from 1 to 20160 \(14 days\); received 0 minutes/,
      () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], timeout: Duration.minutes(1) })] })],
    ['a pause of 30 seconds', () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], timeout: Duration.seconds(30) })] }),
      /received 30 seconds/, () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], timeout: Duration.minutes(1) })] })],
    ['a pause of 90 seconds, which is no whole number of minutes', () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], timeout: Duration.seconds(90) })] }),
      /deploymentHooks\[0\] timeout must be whole minutes from 1 to 20160 \(14 days\); received 1 minute 30 seconds\. Give a Duration such as Duration\.hours\(4\)$/,
      () => ({ deploymentHooks: [DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP], timeout: Duration.minutes(2) })] })],
    ['a stage ECS does not have (a string in Python, Java or Go)', () => ({
      deploymentHooks: [
        PAUSE, DeploymentHook.pause({ stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP, 'AFTER_DEPLOY' as ecs.DeploymentLifecycleStage] }),
      ],
    }),
    /^\[TestStack\/Web\] deploymentHooks\[1\] stages must be among RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT; received AFTER_DEPLOY\. Give one of them$/,
    () => ({
      deploymentHooks: [PAUSE, DeploymentHook.pause({
        stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP, ecs.DeploymentLifecycleStage.TEST_TRAFFIC_SHIFT],
      })],
    })],
  ])('refused: %s, with its way out', (_name, props, message, wayOut) => {
    const found = refusals(props() as PrivateFargateBehindAlbProps);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
    expect(refusals(wayOut() as PrivateFargateBehindAlbProps)).toEqual([]);
  });
});
