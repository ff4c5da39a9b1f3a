/** The front door: domains and HTTPS, many HTTPS services on one load balancer, and who may reach it. */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { importedVpc, listenerRules, newStack, refusalsOf, securityGroupProperties, synth, synthesized } from './helpers';
import { Deployment, FargateVpcEndpoints, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';
import { certificate as userCertificate, domain, PropsOf, service as oneService } from './rehearsal/apps';
import { route } from './rehearsal/routing';
import { FLAG_SETS, synthApp } from './rehearsal/synth';

const ENV = { account: '123456789012', region: 'us-east-1' };

function zone(stack: Stack): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
}

/** The load balancer of another service of the stack, to share. */
function sharedLoadBalancer(stack: Stack): elbv2.IApplicationLoadBalancer {
  return new PrivateFargateBehindAlb(stack, 'Front').loadBalancer;
}


/** A DNS name of 253 characters, the longest there is. */
const LONG_DOMAIN = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
/** One character more, with every label still valid. */
const TOO_LONG_DOMAIN = LONG_DOMAIN.replace('.com', 'd.com');
describe('a domain', () => {
  test('domainName with hostedZone requests a DNS-validated certificate, creates the alias record, and serves HTTPS with a redirect', () => {
    const stack = newStack(ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'shop.example.com', hostedZone: zone(stack) });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'shop.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'shop.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'shop.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^WebshopexamplecomCertificate') } }],
      // The service answers its own name through its production rule; any other name gets a 404.
      DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) })],
    });
    // The certificate is the listener's default: it is not in the listener's list a second time.
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 0);
    expect(web.url).toBe('https://shop.example.com');
  });

  test('the port-80 listener keeps its id whether it forwards HTTP or redirects to HTTPS, so adding a domain changes it in place', () => {
    const ids = (props: PrivateFargateBehindAlbProps) => {
      const stack = newStack(ENV);
      new PrivateFargateBehindAlb(stack, 'Web', { ...props, hostedZone: props.domainName ? zone(stack) : undefined });
      return Object.keys(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Port: 80 } }));
    };

    const http = ids({});
    expect(http).toHaveLength(1);
    expect(ids({ domainName: 'shop.example.com' })).toEqual(http);
  });

  test('domainName with a certificate and no zone serves HTTPS under the name without a record', () => {
    const stack = newStack(ENV);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

    const web = new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'shop.example.com', certificate });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
    });
    expect(web.url).toBe('https://shop.example.com');
  });

  test.each(FLAG_SETS)('with a domain, the service that made the load balancer answers its own name only, any other host a 404 (flags: %s)', (flags) => {
    const routeTo = (props: PropsOf, host: string) => {
      const app = synthApp(oneService(props), flags);
      const resources = Object.entries<any>(app.stacks.App.template.Resources ?? {});
      const [https] = resources.find(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties.Port === 443)!;
      const routed = route(app, `App/${https}`, host, '/cart');
      return 'targetGroups' in routed.action ? { via: routed.via, forward: routed.action.targetGroups.map((g) => g.weight) } : routed;
    };
    const webRule = { via: expect.stringMatching(/^App\/WebProductionRule/), forward: [100, 0] };

    expect(routeTo(domain('shop.example.com'), 'shop.example.com')).toEqual(webRule);
    expect(routeTo(domain('shop.example.com'), 'Shop.Example.com')).toEqual(webRule);
    // The mistake: the owner's rule matching any host, so that every name pointed at the load balancer reaches the service.
    expect(routeTo(domain('shop.example.com'), 'other.example.com')).toEqual({
      via: 'default', action: { type: 'fixed-response', config: expect.objectContaining({ StatusCode: '404' }) },
    });
    // A certificate alone names no host: the service answers any.
    expect(routeTo((stack) => ({ certificate: userCertificate(stack) }), 'other.example.com')).toEqual(webRule);
  });

  test('HTTP on 443 is refused, since 443 is the HTTPS listener\'s; the way out synthesizes', () => {
    expect(() => synth({ port: 443 })).toThrow('[TestStack/Web] port must not be 443 over HTTP; received 443 without a certificate or domainName. ' +
      '443 is the HTTPS port: the HTTPS listener takes it when a service of the load balancer gets a domainName or certificate. ' +
      'Give a listenerPort other than 443 (the container keeps port 443), or a certificate, or a domainName with its hostedZone or certificate');
    expect(() => synth({ listenerPort: 443 })).toThrow('[TestStack/Web] listenerPort must not be 443 over HTTP; received 443 without a certificate or domainName. ' +
      '443 is the HTTPS port: the HTTPS listener takes it when a service of the load balancer gets a domainName or certificate. Give another listenerPort, or leave listenerPort out and give a certificate, or a domainName with its hostedZone or certificate');

    const template = synth({ port: 443, listenerPort: 8443 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 443 });
    // The other way out: a certificate, so that 443 is the HTTPS listener's, forwarding to the container's 443.
    const stack = newStack(ENV);
    new PrivateFargateBehindAlb(stack, 'Web', { port: 443, certificate: acm.Certificate.fromCertificateArn(stack, 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc') });
    const https = Template.fromStack(stack);
    https.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    https.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 443 });
  });
});

describe('many HTTPS services on one load balancer', () => {
  const names = ['shop', 'api', 'admin'];
  function build(hosts: string[]): { template: Template; priorities: Record<string, number> } {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const first = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
    for (const host of hosts) {
      new PrivateFargateBehindAlb(stack, host, { loadBalancer: first.loadBalancer, domainName: `${host}.example.com`, hostedZone, port: 8080 });
    }
    const template = Template.fromStack(stack);
    const priorities: Record<string, number> = {};
    // The shared services' host rules (Front's production rule matches www.example.com, last, at 50000).
    for (const rule of listenerRules(template)) if (rule.hosts && !rule.id.startsWith('Front')) priorities[rule.hosts[0]] = rule.priority;
    return { template, priorities };
  }

  test('three services join the one HTTPS listener, each by its host name and certificate', () => {
    const { template } = build(names);

    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 443 }, 1);
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 80 }, 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 3);
    for (const name of names) {
      // The certificate of each name lives with the load balancer (here, with the service that made it).
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerCertificate', {
        Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp(`^Front${name}examplecomCertificate`) } }],
      });
    }
    const rules = listenerRules(template);
    for (const name of names) {
      // With the default canary deployment, each host rule is the service's production rule.
      const rule = rules.find((r) => r.hosts?.[0] === `${name}.example.com`)!;
      expect(rule.listener).toEqual({ Ref: expect.stringMatching(/^FrontHttpsListener/) });
      expect(rule.paths).toEqual(['/*']);
      expect(rule.targetGroups).toEqual([
        [expect.stringMatching(new RegExp(`^${name}TargetGroup`)), 100],
        [expect.stringMatching(new RegExp(`^${name}AlternateTargetGroup`)), 0],
      ]);
      // No listener attaches the target group in aws-cdk-lib's eyes: the load balancer is let in to the tasks explicitly.
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${name}ServiceSecurityGroup`), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FrontLoadBalancerSecurityGroup'), 'GroupId'] },
        FromPort: 8080,
      });
    }
  });

  test('with rolling deployments each service gets a host rule that forwards to its target group, the same resource as with a canary', () => {
    const rule = (deployment: Deployment) => {
      const stack = newStack(ENV);
      const hostedZone = zone(stack);
      const first = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone, deployment });
      new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: first.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080, deployment });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
      return listenerRules(template).filter((r) => r.hosts);
    };

    const rolling = rule(Deployment.rolling());
    expect(rolling).toEqual([
      // The load balancer's own service answers its name through its production rule, the last the listener evaluates.
      expect.objectContaining({ id: expect.stringMatching(/^FrontProductionRule/), hosts: ['www.example.com'], priority: 50000, targetGroups: [[expect.stringMatching(/^FrontTargetGroup/), 100]] }),
      expect.objectContaining({ hosts: ['api.example.com'], targetGroups: [[expect.stringMatching(/^ApiTargetGroup/), 100]] }),
    ]);
    expect(rule(Deployment.canary()).map((r) => r.id)).toEqual(rolling.map((r) => r.id));
  });

  test('rule priorities are derived from the host alone, the same in every version, and a shared service\'s URL is its name', () => {
    // Pinned: a change of the derivation would move every rule of users' load balancers on upgrade.
    expect(build(names).priorities).toEqual({ 'shop.example.com': 39979, 'api.example.com': 31308, 'admin.example.com': 35926 });
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const front = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
    const api = new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: front.loadBalancer, domainName: 'API.Example.com', hostedZone, port: 8080 });
    expect(api.url).toBe('https://API.Example.com');
    expect(listenerRules(Template.fromStack(stack)).map((r) => r.priority)).toContain(31308);
  });

  test('a more specific rule comes first: host and paths before the host alone, longer paths before shorter, exact hosts before wildcards', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const front = new PrivateFargateBehindAlb(stack, 'Front');
    const shared = { loadBalancer: front.loadBalancer, hostedZone };
    new PrivateFargateBehindAlb(stack, 'App', { ...shared, domainName: 'app.example.com', port: 8080 });
    new PrivateFargateBehindAlb(stack, 'Admin', { ...shared, domainName: 'app.example.com', pathPatterns: ['/admin/*'], port: 8081 });
    new PrivateFargateBehindAlb(stack, 'Reports', { ...shared, domainName: 'app.example.com', pathPatterns: ['/admin/reports/*'], port: 8082 });
    new PrivateFargateBehindAlb(stack, 'Health', { ...shared, domainName: 'app.example.com', pathPatterns: ['/admin'], port: 8083 });
    new PrivateFargateBehindAlb(stack, 'Any', { ...shared, domainName: '*.example.com', port: 8084 });

    const priority = Object.fromEntries(listenerRules(Template.fromStack(stack)).filter((r) => r.hosts)
      .map((r) => [[r.hosts![0], ...r.paths!].join(' '), r.priority]));
    // Each pair whose patterns overlap: the rule that matches less comes first.
    const before = (a: string, b: string) => expect([a, b, priority[a] < priority[b]]).toEqual([a, b, true]);
    before('app.example.com /admin/reports/*', 'app.example.com /admin/*');
    before('app.example.com /admin/*', 'app.example.com /*');
    before('app.example.com /admin', 'app.example.com /*');
    before('app.example.com /*', '*.example.com /*');
    before('app.example.com /admin/reports/*', '*.example.com /*');
  });

  test('two routes whose derived priorities clash are refused, naming rulePriority, and rulePriority is the way out', () => {
    // s1 and s325 derive the same number, 38658.
    const build2 = (rulePriority?: number) => {
      const stack = newStack(ENV);
      const hostedZone = zone(stack);
      const front = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
      new PrivateFargateBehindAlb(stack, 'One', { loadBalancer: front.loadBalancer, domainName: 's1.example.com', hostedZone, port: 8080 });
      new PrivateFargateBehindAlb(stack, 'Two', { loadBalancer: front.loadBalancer, domainName: 's325.example.com', hostedZone, port: 8081, rulePriority });
      return listenerRules(Template.fromStack(stack)).filter((r) => r.hosts && !r.id.startsWith('Front')).map((r) => [r.hosts![0], r.priority]);
    };

    expect(() => build2()).toThrow('[TestStack/Two] rulePriority must be unique on the listener; received 38658 (derived from the host s325.example.com) ' +
      'for the host s325.example.com, which TestStack/One already holds for the host s1.example.com. Give one of the two services a rulePriority of ' +
      'its own, from 1 to 49999 (a lower number is evaluated first)');
    expect(build2(38000)).toEqual([['s1.example.com', 38658], ['s325.example.com', 38000]]);
  });

  test('rulePriority is refused out of 1 to 49999 and without a shared load balancer\'s domain', () => {
    expect(() => synth({ rulePriority: 10 })).toThrow('[TestStack/Web] rulePriority orders the rule of a service on a shared loadBalancer\'s HTTPS listener; received rulePriority without loadBalancer and domainName. Leave it out');
    // A refused service stays in its app, which then cannot synthesize: each refusal has an app of its own.
    const withFront = () => {
      const stack = newStack(ENV);
      const hostedZone = zone(stack);
      const front = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
      return { stack, shared: { loadBalancer: front.loadBalancer, hostedZone, domainName: 'api.example.com', port: 8080 } };
    };
    const zero = withFront();
    expect(refusalsOf(new PrivateFargateBehindAlb(zero.stack, 'Zero', { ...zero.shared, rulePriority: 0 }))).toEqual(['[TestStack/Zero] rulePriority must be an integer from 1 to 49999; received 0']);
    const top = withFront();
    expect(refusalsOf(new PrivateFargateBehindAlb(top.stack, 'Top', { ...top.shared, rulePriority: 50000 }))).toEqual(['[TestStack/Top] rulePriority must be an integer from 1 to 49999; received 50000']);
    const { stack, shared } = withFront();
    new PrivateFargateBehindAlb(stack, 'One', { ...shared, rulePriority: 1 });
    new PrivateFargateBehindAlb(stack, 'Last', { ...shared, domainName: 'b.example.com', rulePriority: 49999 });
    expect(listenerRules(Template.fromStack(stack)).map((r) => r.priority).sort((a, b) => a - b)).toEqual([1, 49999, 50000]);
  });

  test('paths in any order derive one priority, and the same host and paths twice are refused, naming the paths', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const front = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
    new PrivateFargateBehindAlb(stack, 'One', { loadBalancer: front.loadBalancer, domainName: 'www.example.com', pathPatterns: ['/b', '/api/*'], hostedZone, port: 8080 });

    expect(listenerRules(Template.fromStack(stack)).map((r) => r.priority)).toContain(24856);
    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Two', {
      loadBalancer: front.loadBalancer, domainName: 'www.example.com', pathPatterns: ['/api/*', '/b'], hostedZone, port: 8081,
    }))).toThrow('[TestStack/Two] domainName and pathPatterns must be unique on the shared loadBalancer; received the host www.example.com with the paths /api/*, /b, which TestStack/One already routes');
  });

  test('on a load balancer whose maker serves HTTP, the first HTTPS service creates the 443 listener with its certificate as the default, and no redirect', () => {
    const stack = newStack(ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web', { port: 8080 });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, domainName: 'api.example.com', certificate, port: 8081 });

    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 80 }, 0);
    expect(Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Port: 443 } })))
      .toEqual([expect.stringMatching(/^WebHttpsListener/)]);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
    });
    // The default certificate is not also in the listener's list: ELB would refuse to remove it from there.
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 0);
  });

  test('rule priorities do not move when a service in the middle is removed or the order changes', () => {
    const all = build(names).priorities;
    const withoutMiddle = build(['shop', 'admin']).priorities;
    const reordered = build(['admin', 'shop', 'api']).priorities;

    expect(new Set(Object.values(all)).size).toBe(3);
    expect(withoutMiddle).toEqual({ 'shop.example.com': all['shop.example.com'], 'admin.example.com': all['admin.example.com'] });
    expect(reordered).toEqual(all);
  });

  test('pathPatterns route by host and path', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const first = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });

    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: first.loadBalancer, domainName: 'www.example.com', hostedZone, pathPatterns: ['/api/*'], port: 8080 });

    expect(listenerRules(Template.fromStack(stack))).toContainEqual(expect.objectContaining({ hosts: ['www.example.com'], paths: ['/api/*'] }));
  });

  test('two services on one name share its one record and one certificate', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const shop = new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone });

    new PrivateFargateBehindAlb(stack, 'Admin', { loadBalancer: shop.loadBalancer, domainName: 'shop.example.com', pathPatterns: ['/admin/*'], hostedZone, port: 8081 });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 0);
  });

  test('one name with another certificate or zone is refused, naming the way out, which synthesizes', () => {
    const withShop = () => {
      const stack = newStack(ENV);
      const hostedZone = zone(stack);
      return { stack, hostedZone, shop: new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone }) };
    };
    const admin = { domainName: 'shop.example.com', pathPatterns: ['/admin/*'], port: 8081 };

    const certificate = withShop();
    const given = acm.Certificate.fromCertificateArn(certificate.stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    expect(refusalsOf(new PrivateFargateBehindAlb(certificate.stack, 'Admin', { ...admin, loadBalancer: certificate.shop.loadBalancer, certificate: given }))).toEqual([
      '[TestStack/Admin] domainName shop.example.com is served by TestStack/Shop with another certificate; a name has one certificate and one record ' +
      'on a load balancer. Give the hostedZone of that service and no certificate: the name keeps its certificate and record',
    ]);
    const otherZone = withShop();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(otherZone.stack, 'Other', { hostedZoneId: 'Z9999999999999999999', zoneName: 'example.com' });
    expect(refusalsOf(new PrivateFargateBehindAlb(otherZone.stack, 'Admin', { ...admin, loadBalancer: otherZone.shop.loadBalancer, hostedZone }))).toEqual([
      expect.stringMatching(/^\[TestStack\/Admin\] domainName shop\.example\.com is served by TestStack\/Shop with another hostedZone; .* Give the hostedZone of that service and no certificate/),
    ]);
    const wayOut = withShop();
    expect(refusalsOf(new PrivateFargateBehindAlb(wayOut.stack, 'Admin', { ...admin, loadBalancer: wayOut.shop.loadBalancer, hostedZone: wayOut.hostedZone }))).toEqual([]);
  });

  test('a service that shares the listener takes paths of the owner\'s name, never the name whole: the owner would answer nothing', () => {
    const withShop = () => {
      const stack = newStack(ENV);
      const hostedZone = zone(stack);
      return { stack, shared: { loadBalancer: new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone }).loadBalancer, hostedZone, port: 8081 } };
    };

    // The mistake: the owner's name left out of the routes the listener holds, so that a host rule ahead of the owner's takes all its requests.
    const whole = withShop();
    expect(refusalsOf(new PrivateFargateBehindAlb(whole.stack, 'Other', { ...whole.shared, domainName: 'Shop.example.com' }))).toEqual([
      '[TestStack/Other] domainName and pathPatterns must be unique on the shared loadBalancer; received the host Shop.example.com, which TestStack/Shop ' +
      'already routes. Give this service other pathPatterns or another domainName: one host and its paths route to one service',
    ]);
    const paths = withShop();
    expect(refusalsOf(new PrivateFargateBehindAlb(paths.stack, 'Admin', { ...paths.shared, domainName: 'shop.example.com', pathPatterns: ['/admin/*'] }))).toEqual([]);
    // Every path of the name, or a wildcard name that covers it, would take the owner's requests as well.
    const everyPath = withShop();
    expect(refusalsOf(new PrivateFargateBehindAlb(everyPath.stack, 'Other', { ...everyPath.shared, domainName: 'shop.example.com', pathPatterns: ['/*'] }))).toEqual([
      '[TestStack/Other] domainName and pathPatterns must leave the name shop.example.com to TestStack/Shop, which made the load balancer; received ' +
      'the host shop.example.com with the paths /*, which matches every request for shop.example.com before that service\'s own rule. Give ' +
      'pathPatterns narrower than /*, or a domainName that does not cover shop.example.com',
    ]);
    const wildcard = withShop();
    const certificate = acm.Certificate.fromCertificateArn(wildcard.stack, 'Wildcard', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    expect(refusalsOf(new PrivateFargateBehindAlb(wildcard.stack, 'All', { ...wildcard.shared, domainName: '*.Example.com', certificate, hostedZone: undefined })))
      .toEqual([expect.stringMatching(/^\[TestStack\/All\] domainName and pathPatterns must leave the name shop\.example\.com to TestStack\/Shop/)]);
    // The way out: the wildcard name under narrower paths.
    const narrower = withShop();
    const wildcardCertificate = acm.Certificate.fromCertificateArn(narrower.stack, 'Wildcard', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    const all = new PrivateFargateBehindAlb(narrower.stack, 'All', {
      ...narrower.shared, domainName: '*.example.com', certificate: wildcardCertificate, hostedZone: undefined, pathPatterns: ['/static/*'],
    });
    expect(refusalsOf(all)).toEqual([]);
  });

  test('the target groups a listener rule forwards to are attached to its listener: their metrics and request scaling work', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const shop = new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone });
    const api = new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: shop.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080 });

    // The mistake: a target group only the custom rule forwards to, which aws-cdk-lib takes for one on no load balancer.
    for (const web of [shop, api]) {
      for (const targetGroup of [web.targetGroup, web.alternateTargetGroup!]) {
        const dimensions = stack.resolve(targetGroup.metrics.requestCount().dimensions);
        // aws-cdk-lib reads the load balancer's name from the ARN of the listener the group is attached to.
        expect(JSON.stringify(dimensions.LoadBalancer)).toMatch(/"Ref":"ShopHttpsListener[0-9A-F]{8}"/);
      }
      web.scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 100, targetGroup: web.targetGroup });
    }
    expect(refusalsOf(stack)).toEqual([]);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }) }),
    }, 2);
  });

  test('a service refused for a name another load balancer holds is the one refusal: its load balancer\'s new HTTPS listener is not', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone });
    const web = new PrivateFargateBehindAlb(stack, 'Web', { port: 8080 });

    const api = new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, domainName: 'shop.example.com', hostedZone, port: 8081 });

    expect(refusalsOf(api)).toEqual([expect.stringMatching(/^\[TestStack\/Api\] domainName shop\.example\.com already points to the load balancer /)]);
  });

  test('port 443 over HTTP on a shared load balancer names the way out that works there, a domainName', () => {
    const withWeb = () => {
      const stack = newStack(ENV);
      return { stack, loadBalancer: new PrivateFargateBehindAlb(stack, 'Web').loadBalancer };
    };
    const refused = withWeb();
    expect(refusalsOf(new PrivateFargateBehindAlb(refused.stack, 'Api', { loadBalancer: refused.loadBalancer, port: 443 }))).toEqual([
      '[TestStack/Api] port must not be 443 over HTTP; received 443 without a certificate or domainName. 443 is the HTTPS port: the HTTPS listener ' +
      'takes it when a service of the load balancer gets a domainName or certificate. Give a listenerPort other than 443 (the container keeps port 443), ' +
      'or a domainName with its hostedZone or certificate',
    ]);
    const wayOut = withWeb();
    const api = new PrivateFargateBehindAlb(wayOut.stack, 'Api', { loadBalancer: wayOut.loadBalancer, port: 443, domainName: 'api.example.com', hostedZone: zone(wayOut.stack) });
    expect(refusalsOf(api)).toEqual([]);
  });

  test('one name on two load balancers is refused: a name has one record', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone });

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Other', { domainName: 'Shop.example.com', hostedZone, port: 8080 }))).toThrow(
      '[TestStack/Other] domainName shop.example.com already points to the load balancer TestStack/Shop/LoadBalancer; a name has one DNS record. ' +
      'Give this service another domainName, or put it on that load balancer (loadBalancer)');
  });

  test('two services claiming one host and path are refused', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const first = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
    new PrivateFargateBehindAlb(stack, 'One', { loadBalancer: first.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080 });

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Two', { loadBalancer: first.loadBalancer, domainName: 'API.example.com', hostedZone, port: 8081 }))).toThrow(
      '[TestStack/Two] domainName and pathPatterns must be unique on the shared loadBalancer; received the host API.example.com, which TestStack/One already routes',
    );
  });

  test('on a load balancer serving HTTP on 80, the first HTTPS service creates the 443 listener, answering 404 to unknown hosts, without a redirect', () => {
    const stack = newStack(ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, domainName: 'api.example.com', certificate, port: 8080 });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [{
        Type: 'fixed-response',
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'No service answers this host name.' },
      }],
    });
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 80 }, 1);
  });
});

describe('a load balancer the user made', () => {
  function userLoadBalancer(stack: Stack): elbv2.ApplicationLoadBalancer {
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    return new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  }

  test('its HTTPS listener, certificates and records live with it, whichever service comes first, and port 80 is left to the user', () => {
    const ids = (order: string[]) => {
      const stack = newStack(ENV);
      const loadBalancer = userLoadBalancer(stack);
      const hostedZone = zone(stack);
      for (const name of order) new PrivateFargateBehindAlb(stack, name, { loadBalancer, domainName: `${name.toLowerCase()}.example.com`, hostedZone, port: 8080 + order.indexOf(name) });
      const template = Template.fromStack(stack);
      template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 80 }, 0);
      return ['AWS::ElasticLoadBalancingV2::Listener', 'AWS::CertificateManager::Certificate', 'AWS::Route53::RecordSet', 'AWS::ElasticLoadBalancingV2::ListenerCertificate']
        .flatMap((type) => Object.keys(template.findResources(type))).sort();
    };
    const listenerCertificates = (list: string[]) => list.filter((id) => /ListenerCertificate/.test(id));

    const both = ids(['Shop', 'Api']);
    expect(both.every((id) => id.startsWith('LbPrivateFargate'))).toBe(true);
    // The first service's name has the listener's default certificate, which is not in the list: the other name's is.
    expect(listenerCertificates(both)).toEqual([expect.stringMatching(/^LbPrivateFargateapiexamplecomListenerCertificate/)]);
    const reversed = ids(['Api', 'Shop']);
    expect(reversed.filter((id) => !/ListenerCertificate/.test(id))).toEqual(both.filter((id) => !/ListenerCertificate/.test(id)));
    expect(listenerCertificates(reversed)).toEqual([expect.stringMatching(/^LbPrivateFargateshopexamplecomListenerCertificate/)]);
    // A service added after the first moves nothing of the first: the ids of a one-service app stay.
    const shopOnly = ids(['Shop']);
    expect(shopOnly.every((id) => both.includes(id))).toBe(true);
  });

  // The mistakes: the default certificate also in the listener's list (ELB refuses RemoveListenerCertificates for a default
  // certificate, so the stack's deletion and the rollback of the listener's creation failed), and a default chosen
  // alphabetically (a new name that sorts first moved it, and a rollback of that update had to remove the default).
  test('the listener\'s default certificate is the first service\'s name\'s, and every other name is in its certificate list', () => {
    const stack = newStack(ENV);
    const loadBalancer = userLoadBalancer(stack);
    const hostedZone = zone(stack);
    new PrivateFargateBehindAlb(stack, 'Shop', { loadBalancer, domainName: 'shop.example.com', hostedZone });
    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080 });
    new PrivateFargateBehindAlb(stack, 'Admin', { loadBalancer, domainName: 'admin.example.com', hostedZone, port: 8081 });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^LbPrivateFargateshopexamplecomCertificate') } }],
    });
    const listed = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerCertificate'))
      .map((r) => r.Properties.Certificates[0].CertificateArn.Ref).sort();
    expect(listed).toEqual([expect.stringMatching(/^LbPrivateFargateadminexamplecomCertificate/), expect.stringMatching(/^LbPrivateFargateapiexamplecomCertificate/)]);
  });

  test('a load balancer in a network stack serves a service of another stack, whose certificate and record are made with the load balancer', () => {
    const app = new App();
    const network = new Stack(app, 'Network', { env: ENV });
    const loadBalancer = userLoadBalancer(network);
    const hostedZone = zone(network);
    const orders = new Stack(app, 'Orders', { env: ENV });

    new PrivateFargateBehindAlb(orders, 'Orders', { loadBalancer, domainName: 'orders.example.com', hostedZone });

    const shared = Template.fromStack(network);
    shared.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443 });
    shared.resourceCountIs('AWS::CertificateManager::Certificate', 1);
    shared.resourceCountIs('AWS::Route53::RecordSet', 1);
    const service = Template.fromStack(orders);
    expect(listenerRules(service)).toEqual([expect.objectContaining({ hosts: ['orders.example.com'], listener: { 'Fn::ImportValue': expect.any(String) } })]);
    expect(orders.dependencies).toContain(network);
    expect(network.dependencies).toEqual([]);
  });

  test('one load balancer imported in two stacks: its ports are one set, and its HTTPS pieces have one home, the first import, or are refused', () => {
    const build = (services: Array<[string, PrivateFargateBehindAlbProps]>, importOnce = false) => {
      const app = new App();
      const network = new Stack(app, 'Network', { env: ENV });
      const vpc = importedVpc(network);
      new FargateVpcEndpoints(network, 'Endpoints', { vpc });
      const attributes = {
        loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared/0123456789abcdef',
        securityGroupId: 'sg-0123456789abcdef0',
        vpc,
        loadBalancerDnsName: 'shared-123456789.us-east-1.elb.amazonaws.com',
        loadBalancerCanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
      };
      const once = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(network, 'Alb', attributes);
      for (const [name, props] of services) {
        const stack = new Stack(app, name, { env: ENV });
        const loadBalancer = importOnce ? once : elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', attributes);
        new PrivateFargateBehindAlb(stack, name, { vpc, loadBalancer, ...props });
      }
      return app;
    };
    const certificate = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

    expect(() => synthesized(build([['One', { port: 8080 }], ['Two', { port: 8080 }]]))).toThrow(
      '[Two/Two] port must be free on the shared loadBalancer; received 8080, which One/One already listens on. Give each service on one load balancer its own port');
    expect(build([['One', { port: 8080 }], ['Two', { port: 8081 }]]).synth().stacks.map((stack) => stack.stackName)).toEqual(['Network', 'One', 'Two']);

    const https = (importOnce: boolean) => {
      const app = new App();
      const network = new Stack(app, 'Network', { env: ENV });
      const cert = certificate(network);
      return build([['One', { domainName: 'one.example.com', certificate: cert }], ['Two', { domainName: 'two.example.com', certificate: cert }]], importOnce);
    };
    expect(() => synthesized(https(false))).toThrow('[Two/Two] loadBalancer: the load balancer arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared/0123456789abcdef ' +
      'is imported more than once (One/Alb and Two/Alb), and its HTTPS listener, certificates and records live with the first import: a second ' +
      'listener on 443 would fail at deploy. Import it once and give that object to every service with a domainName');
    const app = https(true);
    const listeners = app.synth().stacks.flatMap((stack) => Object.values(stack.template.Resources as Record<string, any>))
      .filter((resource) => resource.Type === 'AWS::ElasticLoadBalancingV2::Listener');
    expect(listeners.map((listener) => listener.Properties.Port)).toEqual([443]);
  });

  test('a listener with no certificate of its stack to default to is refused, and a certificate imported by ARN is the way out', () => {
    const app = new App();
    const network = new Stack(app, 'Network', { env: ENV });
    const loadBalancer = userLoadBalancer(network);
    const services = new Stack(app, 'Services', { env: ENV });
    const own = new acm.Certificate(services, 'Own', { domainName: 'api.example.com' });
    new PrivateFargateBehindAlb(services, 'Api', { loadBalancer, domainName: 'api.example.com', certificate: own });

    expect(() => app.synth()).toThrow(/certificate: the HTTPS listener of the load balancer Network\/Lb lives in its stack Network and needs a default certificate from that stack, but every service on it gives a certificate of another stack\. Give one of them a hostedZone \(the certificate is then made with the load balancer\), or a certificate imported by its ARN/);

    const app2 = new App();
    const network2 = new Stack(app2, 'Network', { env: ENV });
    const loadBalancer2 = userLoadBalancer(network2);
    const services2 = new Stack(app2, 'Services', { env: ENV });
    const imported = acm.Certificate.fromCertificateArn(services2, 'Imported', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    new PrivateFargateBehindAlb(services2, 'Api', { loadBalancer: loadBalancer2, domainName: 'api.example.com', certificate: imported });
    Template.fromStack(network2).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443, Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
    });
  });
});

describe('the listener port and who may reach it', () => {
  test('listenerPort is the public port; everything inside keeps port', () => {
    const template = synth({ port: 8080, listenerPort: 80 });

    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080 });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('load balancer'),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80 })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, SourceSecurityGroupId: Match.anyValue() });
  });

  test('allowFrom admits only the peers given, also a prefix list, and no rule of the load balancer admits 0.0.0.0/0', () => {
    const template = synth({ allowFrom: [ec2.Peer.ipv4('203.0.113.0/24'), ec2.Peer.prefixList('pl-3b927c52')] });

    const inline = securityGroupProperties(template, '^Internet-facing load balancer').SecurityGroupIngress;
    const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebLoadBalancerSecurityGroup'), 'GroupId'] } },
    })).map((rule) => rule.Properties);
    expect([...inline, ...separate].map((rule: any) => [rule.CidrIp ?? rule.SourcePrefixListId, rule.FromPort, rule.Description]))
      .toEqual([['203.0.113.0/24', 80, 'Listener port 80'], ['pl-3b927c52', 80, 'Listener port 80']]);
  });

  // The mistake: the HTTPS listener left open, which aws-cdk-lib makes admit 0.0.0.0/0 on 443 beside allowFrom.
  test('with a domain, allowFrom is all the load balancer admits, on 443 and on the port-80 redirect', () => {
    const stack = newStack(ENV);
    new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'shop.example.com', hostedZone: zone(stack), allowFrom: [ec2.Peer.ipv4('203.0.113.0/24')] });
    const template = Template.fromStack(stack);

    const inline = securityGroupProperties(template, '^Internet-facing load balancer').SecurityGroupIngress ?? [];
    const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebLoadBalancerSecurityGroup'), 'GroupId'] } },
    })).map((rule) => rule.Properties);
    expect([...inline, ...separate].map((rule: any) => [rule.CidrIp ?? rule.CidrIpv6, rule.FromPort]).sort())
      .toEqual([['203.0.113.0/24', 443], ['203.0.113.0/24', 80]]);
  });

  test('internetFacing false gives an internal load balancer in the private subnets, on a VPC with no public subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

    new PrivateFargateBehindAlb(stack, 'Web', { vpc, internetFacing: false, allowFrom: [ec2.Peer.ipv4('10.0.0.0/8')] });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'Internal load balancer: listener ports from allowFrom, to the tasks only' });
  });

  // The mistake: placing an internal load balancer in the isolated subnets, which a VPC with a NAT has none of.
  test('internetFacing false in a VPC whose private subnets have egress puts the load balancer in those subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });

    new PrivateFargateBehindAlb(stack, 'Web', { vpc, internetFacing: false });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }] }) },
    });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test.each<[string, PrivateFargateBehindAlbProps, string, string]>([
    ['by default', {}, 'anywhere', '0.0.0.0/0'],
    ['with allowFrom', { allowFrom: [ec2.Peer.ipv4('203.0.113.0/24')] }, 'allowFrom', '203.0.113.0/24'],
  ])('the load balancer\'s security group says who reaches it, %s, and admits them on the listener port only', (_, props, who, cidr) => {
    const template = synth({ ...props, port: 8080 });

    const group = securityGroupProperties(template, '^Internet-facing load balancer');
    expect(group.GroupDescription).toBe(`Internet-facing load balancer: listener ports from ${who}, to the tasks only`);
    expect(group.SecurityGroupIngress.map((rule: any) => [rule.CidrIp, rule.FromPort, rule.ToPort])).toEqual([[cidr, 8080, 8080]]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebLoadBalancerSecurityGroup'), 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebServiceSecurityGroup'), 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
    });
  });

  test('idleTimeout, healthyHttpCodes and webAclArn reach the load balancer, target group and a web ACL association', () => {
    const webAclArn = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shop/0123abcd-0123-0123-0123-0123456789ab';
    const template = synth({ idleTimeout: Duration.seconds(120), healthyHttpCodes: '200-299', webAclArn });

    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '120' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Matcher: { HttpCode: '200-299' } });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: webAclArn,
      ResourceArn: { Ref: Match.stringLikeRegexp('^WebLoadBalancer') },
    });
  });
});

describe('bad front-door input is refused at synth', () => {
  const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
  test.each<[string, (stack: Stack) => PrivateFargateBehindAlbProps, string]>([
    ['a domainName that is no DNS name', (stack) => ({ domainName: 'not a name', hostedZone: zone(stack) }), 'domainName must be a DNS name such as api.example.com; received "not a name"'],
    ['a domainName outside the zone', (stack) => ({ domainName: 'shop.example.org', hostedZone: zone(stack) }), 'domainName must be in the hostedZone; received "shop.example.org" and the zone example.com'],
    // The mistake: endsWith(zone) without the dot. shopexample.com is another domain, which the zone cannot hold.
    ['a domainName that merely ends like the zone', (stack) => ({ domainName: 'shopexample.com', hostedZone: zone(stack) }), 'domainName must be in the hostedZone; received "shopexample.com" and the zone example.com'],
    ['a domainName with neither zone nor certificate', () => ({ domainName: 'shop.example.com' }), 'domainName needs a hostedZone (to validate a new certificate and create the record) or a certificate; received "shop.example.com" with neither'],
    ['a hostedZone without domainName', (stack) => ({ hostedZone: zone(stack) }), 'hostedZone needs domainName'],
    ['listenerPort with a certificate', (stack) => ({ listenerPort: 8443, certificate: acm.Certificate.fromCertificateArn(stack, 'C', certificateArn) }), 'listenerPort is for HTTP only; received 8443 with a certificate or domainName'],
    ['listenerPort 0', () => ({ listenerPort: 0 }), 'listenerPort must be an integer from 1 to 65535; received 0'],
    ['pathPatterns without loadBalancer', (stack) => ({ domainName: 'shop.example.com', hostedZone: zone(stack), pathPatterns: ['/api/*'] }),
      'pathPatterns route a service on a shared loadBalancer with its domainName; received pathPatterns without loadBalancer. Give loadBalancer too, or leave pathPatterns out'],
    ['pathPatterns without domainName', (stack) => ({ loadBalancer: sharedLoadBalancer(stack), pathPatterns: ['/api/*'] }),
      'pathPatterns route a service on a shared loadBalancer with its domainName; received pathPatterns without domainName. Give domainName (with its hostedZone or certificate) too, or leave pathPatterns out'],
    ['pathPatterns alone', () => ({ pathPatterns: ['/api/*'] }),
      'pathPatterns route a service on a shared loadBalancer with its domainName; received pathPatterns without loadBalancer or domainName. Give loadBalancer and domainName (with its hostedZone or certificate) too, or leave pathPatterns out'],
    ['an empty allowFrom', () => ({ allowFrom: [] }), 'allowFrom must name at least one peer; received an empty list'],
    ['idleTimeout of 4001 seconds', () => ({ idleTimeout: Duration.seconds(4001) }), 'idleTimeout must be a whole number of seconds from 1 to 4000; received 4001 seconds'],
    ['healthyHttpCodes 500', () => ({ healthyHttpCodes: '500' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "500"'],
    ['healthyHttpCodes 200-', () => ({ healthyHttpCodes: '200-' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "200-"'],
    ['healthyHttpCodes 299-200', () => ({ healthyHttpCodes: '299-200' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "299-200"'],
    ['a webAclArn that is no regional web ACL', () => ({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y' }), 'webAclArn must be the ARN of a regional WAFv2 web ACL'],
    ['healthyHttpCodes "0200"', () => ({ healthyHttpCodes: '0200' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "0200"'],
    ['healthyHttpCodes "200 "', () => ({ healthyHttpCodes: '200 ' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "200 "'],
    ['healthyHttpCodes "199"', () => ({ healthyHttpCodes: '199' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "199"'],
    ['healthyHttpCodes "200,500"', () => ({ healthyHttpCodes: '200,500' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "200,500"'],
    ['healthyHttpCodes "200-500"', () => ({ healthyHttpCodes: '200-500' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "200-500"'],
    ['healthyHttpCodes "200-200"', () => ({ healthyHttpCodes: '200-200' }), 'healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "200-200"'],
    ['a webAclArn with text before it', () => ({ webAclArn: 'xarn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/y' }), 'webAclArn must be the ARN of a regional WAFv2 web ACL'],
    ['a webAclArn with text after it', () => ({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/y/z' }), 'webAclArn must be the ARN of a regional WAFv2 web ACL'],
    ['listenerPort with a domainName', (stack) => ({ listenerPort: 8080, domainName: 'shop.example.com', hostedZone: zone(stack) }), 'listenerPort is for HTTP only; received 8080 with a certificate or domainName'],
    ['a domainName with a space in it', (stack) => ({ domainName: 'bad name.example.com', hostedZone: zone(stack) }), 'domainName must be a DNS name such as api.example.com; received "bad name.example.com"'],
    ['a domainName with text after it', (stack) => ({ domainName: 'shop.example.com/', hostedZone: zone(stack) }), 'domainName must be a DNS name such as api.example.com; received "shop.example.com/"'],
    ['a domainName of 254 characters', (stack) => ({ domainName: TOO_LONG_DOMAIN, certificate: acm.Certificate.fromCertificateArn(stack, 'C', certificateArn) }), `domainName must be a DNS name such as api.example.com; received "${TOO_LONG_DOMAIN}"`],
  ])('%s', (_, props, message) => {
    const stack = newStack(ENV);
    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', props(stack)))).toThrow(`[TestStack/Web] ${message}`);
  });

  test('pathPatterns hold 1 to 4 patterns, and idleTimeout or webAclArn on a shared load balancer are refused', () => {
    // A refused service stays in its app, which then cannot synthesize: each refusal has an app of its own.
    const withWeb = () => {
      const stack = newStack(ENV);
      const web = new PrivateFargateBehindAlb(stack, 'Web');
      return { stack, hostedZone: zone(stack), shared: { loadBalancer: web.loadBalancer, port: 8080 } };
    };
    const a = withWeb();
    expect(refusalsOf(new PrivateFargateBehindAlb(a.stack, 'A', { ...a.shared, domainName: 'a.example.com', hostedZone: a.hostedZone, pathPatterns: ['/1', '/2', '/3', '/4'] })))
      .toEqual(['[TestStack/A] pathPatterns must hold 1 to 3 patterns (a listener rule\'s condition matches at most 3 values); received 4. Cover several paths with one wildcard pattern, such as /api/*']);
    const e = withWeb();
    expect(refusalsOf(new PrivateFargateBehindAlb(e.stack, 'E', { ...e.shared, domainName: 'e.example.com', hostedZone: e.hostedZone, pathPatterns: [] })))
      .toEqual(['[TestStack/E] pathPatterns must hold 1 to 3 patterns (a listener rule\'s condition matches at most 3 values); received 0. Cover several paths with one wildcard pattern, such as /api/*']);
    // The way out: at most 3, one of them a wildcard.
    const f = withWeb();
    new PrivateFargateBehindAlb(f.stack, 'F', { ...f.shared, port: 8081, domainName: 'f.example.com', hostedZone: f.hostedZone, pathPatterns: ['/1', '/2', '/api/*'] });
    expect(listenerRules(Template.fromStack(f.stack))).toContainEqual(expect.objectContaining({ paths: ['/1', '/2', '/api/*'] }));
    const b = withWeb();
    expect(() => synthesized(new PrivateFargateBehindAlb(b.stack, 'B', { ...b.shared, idleTimeout: Duration.seconds(30) }))).toThrow('[TestStack/B] idleTimeout is set on the load balancer this construct creates');
    const c = withWeb();
    expect(() => synthesized(new PrivateFargateBehindAlb(c.stack, 'C', { ...c.shared, webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/y' })))
      .toThrow('[TestStack/C] webAclArn is associated with the load balancer this construct creates');
  });

  test.each([['200,302'], ['200-299'], ['499'], ['200-204,301'], ['200,301-302']])('healthyHttpCodes %s is accepted and is the target groups\' matcher', (codes) => {
    const groups = Object.values(synth({ healthyHttpCodes: codes }).findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));

    expect(groups.map((group) => group.Properties.Matcher)).toEqual([{ HttpCode: codes }, { HttpCode: codes }]);
  });

  test('a web ACL of another partition and a domainName of 253 characters are accepted', () => {
    const stack = newStack(ENV);
    new PrivateFargateBehindAlb(stack, 'Web', { webAclArn: 'arn:aws-us-gov:wafv2:us-gov-west-1:123456789012:regional/webacl/x/y' });
    new PrivateFargateBehindAlb(stack, 'Api', {
      domainName: LONG_DOMAIN, certificate: acm.Certificate.fromCertificateArn(stack, 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
    });

    expect(LONG_DOMAIN).toHaveLength(253);
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test('a domainName at the apex of a zone written with its final dot, and one under a two-letter top-level domain, are accepted', () => {
    const stack = newStack(ENV);
    const apex = route53.HostedZone.fromHostedZoneAttributes(stack, 'Apex', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'Example.COM.' });
    new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'example.com', hostedZone: apex });
    new PrivateFargateBehindAlb(stack, 'Api', {
      domainName: 'api.example.io', certificate: acm.Certificate.fromCertificateArn(stack, 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', { Name: 'example.com.' });
  });

  test('an internal load balancer on a VPC with private subnets in one AZ is refused, naming the internal load balancer', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0one',
      vpcCidrBlock: '10.9.0.0/16',
      availabilityZones: ['us-east-1a'],
      isolatedSubnetIds: ['subnet-iso1'],
      isolatedSubnetRouteTableIds: ['rtb-iso1'],
    });

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', { vpc, internetFacing: false }))).toThrow(
      '[TestStack/Web] vpc must have private subnets in at least 2 availability zones for the internal load balancer; received the VPC vpc-0one ' +
      'with private subnets in 1. Give a VPC with a private subnet in each of two availability zones',
    );
  });
});

// The mistake: a service on a shared HTTPS listener, which no listener of aws-cdk-lib forwards to, left unreachable,
// or reached through rules that do not say what they are.
test('the tasks of a service on a shared HTTPS listener admit the load balancer on their port, and the rules say so', () => {
  const stack = newStack(ENV);
  const hostedZone = zone(stack);
  const web = new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'shop.example.com', hostedZone });
  new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080 });
  const template = Template.fromStack(stack);

  const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
    Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiServiceSecurityGroup'), 'GroupId'] } },
  })).map((rule) => rule.Properties);
  expect(ingress).toEqual([{
    IpProtocol: 'tcp',
    FromPort: 8080,
    ToPort: 8080,
    Description: 'Load balancer to target',
    GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^ApiServiceSecurityGroup/), 'GroupId'] },
    SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancerSecurityGroup/), 'GroupId'] },
  }]);
  const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress', {
    Properties: { DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiServiceSecurityGroup'), 'GroupId'] } },
  })).map((rule) => rule.Properties);
  expect(egress).toEqual([expect.objectContaining({ FromPort: 8080, ToPort: 8080, Description: 'Load balancer to target' })]);
});
