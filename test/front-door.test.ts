/** The front door: domains and HTTPS, many HTTPS services on one load balancer, and who may reach it. */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { newStack, securityGroupProperties, synth } from './helpers';
import { Deployment, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';

const ENV = { account: '123456789012', region: 'us-east-1' };

function zone(stack: Stack): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
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
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^WebCertificate') } }],
      DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) })],
    });
    expect(web.url).toBe('https://shop.example.com');
  });

  test('domainName with a certificate and no zone serves HTTPS under the name without a record', () => {
    const stack = newStack(ENV);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

    const web = new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'shop.example.com', certificate });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(web.url).toBe('https://shop.example.com');
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
    for (const rule of Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))) {
      const host = rule.Properties.Conditions[0].HostHeaderConfig?.Values[0] as string | undefined;
      if (host) priorities[host] = rule.Properties.Priority;
    }
    return { template, priorities };
  }

  test('three services join the one HTTPS listener, each by its host name and certificate', () => {
    const { template } = build(names);

    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 443 }, 1);
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 80 }, 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 3);
    for (const name of names) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerCertificate', {
        Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp(`^${name}Certificate`) } }],
      });
    }
    for (const name of names) {
      // With the default canary deployment, each host rule is the service's production rule.
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        ListenerArn: { Ref: Match.stringLikeRegexp('^FrontListener') },
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [`${name}.example.com`] } }],
        Actions: [Match.objectLike({
          Type: 'forward',
          ForwardConfig: Match.objectLike({
            TargetGroups: [
              { TargetGroupArn: { Ref: Match.stringLikeRegexp(`^${name}TargetGroup`) }, Weight: 100 },
              { TargetGroupArn: { Ref: Match.stringLikeRegexp(`^${name}AlternateTargetGroup`) }, Weight: 0 },
            ],
          }),
        })],
      });
      // The target group is attached through that rule: the load balancer reaches the tasks.
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${name}ServiceSecurityGroup`), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FrontLoadBalancerSecurityGroup'), 'GroupId'] },
        FromPort: 8080,
      });
    }
  });

  test('with rolling deployments each service gets a host rule that forwards to its target group', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const first = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone, deployment: Deployment.rolling() });

    new PrivateFargateBehindAlb(stack, 'Api', {
      loadBalancer: first.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080, deployment: Deployment.rolling(),
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^ApiTargetGroup') } }],
    });
  });

  test('rule priorities are derived from the host alone, the same in every version, and a shared service\'s URL is its name', () => {
    // Pinned: a change of the derivation would move every rule of users' load balancers on upgrade.
    expect(build(names).priorities).toEqual({ 'shop.example.com': 30678, 'api.example.com': 9276, 'admin.example.com': 16637 });
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const front = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
    const api = new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: front.loadBalancer, domainName: 'API.Example.com', hostedZone, port: 8080 });
    expect(api.url).toBe('https://API.Example.com');
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 9276 });
  });

  test('two hosts whose derived priorities clash get the next free one, each in order', () => {
    // s301 and s1009 derive the same number, 18592.
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const front = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
    new PrivateFargateBehindAlb(stack, 'One', { loadBalancer: front.loadBalancer, domainName: 's301.example.com', hostedZone, port: 8080 });
    new PrivateFargateBehindAlb(stack, 'Two', { loadBalancer: front.loadBalancer, domainName: 's1009.example.com', hostedZone, port: 8081 });

    const priorities = Object.values(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))
      .filter((rule) => rule.Properties.Conditions[0].HostHeaderConfig)
      .map((rule) => [rule.Properties.Conditions[0].HostHeaderConfig.Values[0], rule.Properties.Priority]);
    expect(priorities).toEqual([['s301.example.com', 18592], ['s1009.example.com', 18593]]);
  });

  test('paths in any order derive one priority, and the same host and paths twice are refused, naming the paths', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const front = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
    new PrivateFargateBehindAlb(stack, 'One', { loadBalancer: front.loadBalancer, domainName: 'www.example.com', pathPatterns: ['/b', '/api/*'], hostedZone, port: 8080 });

    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 2501 });
    expect(() => new PrivateFargateBehindAlb(stack, 'Two', {
      loadBalancer: front.loadBalancer, domainName: 'www.example.com', pathPatterns: ['/api/*', '/b'], hostedZone, port: 8081,
    })).toThrow('[TestStack/Two] domainName and pathPatterns must be unique on the shared loadBalancer; received the host www.example.com with the paths /api/*, /b, which TestStack/One already routes');
  });

  test('the first service with a domain on a load balancer whose port 80 is free creates the 443 listener and the redirect, with its certificate as the default', () => {
    const stack = newStack(ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web', { port: 8080 });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, domainName: 'api.example.com', certificate, port: 8081 });

    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Port: 80 } })))
      .toEqual([expect.stringMatching(/^ApiHttpsRedirect/)]);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
    });
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

    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['www.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
      ],
    });
  });

  test('two services claiming one host and path are refused', () => {
    const stack = newStack(ENV);
    const hostedZone = zone(stack);
    const first = new PrivateFargateBehindAlb(stack, 'Front', { domainName: 'www.example.com', hostedZone });
    new PrivateFargateBehindAlb(stack, 'One', { loadBalancer: first.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080 });

    expect(() => new PrivateFargateBehindAlb(stack, 'Two', { loadBalancer: first.loadBalancer, domainName: 'API.example.com', hostedZone, port: 8081 })).toThrow(
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

  test('the load balancer\'s security group says who reaches it', () => {
    synth().hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'Internet-facing load balancer: listener ports from anywhere, to the tasks only' });
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
    ['a domainName with neither zone nor certificate', () => ({ domainName: 'shop.example.com' }), 'domainName needs a hostedZone (to validate a new certificate and create the record) or a certificate; received "shop.example.com" with neither'],
    ['a hostedZone without domainName', (stack) => ({ hostedZone: zone(stack) }), 'hostedZone needs domainName'],
    ['listenerPort with a certificate', (stack) => ({ listenerPort: 8443, certificate: acm.Certificate.fromCertificateArn(stack, 'C', certificateArn) }), 'listenerPort is for HTTP only; received 8443 with a certificate or domainName'],
    ['listenerPort 0', () => ({ listenerPort: 0 }), 'listenerPort must be an integer from 1 to 65535; received 0'],
    ['pathPatterns without loadBalancer', (stack) => ({ domainName: 'shop.example.com', hostedZone: zone(stack), pathPatterns: ['/api/*'] }), 'pathPatterns route a service on a shared loadBalancer with its domainName'],
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
    expect(() => new PrivateFargateBehindAlb(stack, 'Web', props(stack))).toThrow(`[TestStack/Web] ${message}`);
  });

  test('pathPatterns hold 1 to 4 patterns, and idleTimeout or webAclArn on a shared load balancer are refused', () => {
    const stack = newStack(ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const hostedZone = zone(stack);
    const shared = { loadBalancer: web.loadBalancer, port: 8080 };

    expect(() => new PrivateFargateBehindAlb(stack, 'A', { ...shared, domainName: 'a.example.com', hostedZone, pathPatterns: ['/1', '/2', '/3', '/4', '/5'] }))
      .toThrow('[TestStack/A] pathPatterns must hold 1 to 4 patterns (a listener rule matches at most 5 values, one is the host); received 5');
    expect(() => new PrivateFargateBehindAlb(stack, 'E', { ...shared, domainName: 'e.example.com', hostedZone, pathPatterns: [] }))
      .toThrow('[TestStack/E] pathPatterns must hold 1 to 4 patterns (a listener rule matches at most 5 values, one is the host); received 0');
    new PrivateFargateBehindAlb(stack, 'F', { ...shared, port: 8081, domainName: 'f.example.com', hostedZone, pathPatterns: ['/1', '/2', '/3', '/4'] });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/1', '/2', '/3', '/4'] } }]),
    });
    expect(() => new PrivateFargateBehindAlb(stack, 'B', { ...shared, idleTimeout: Duration.seconds(30) })).toThrow('[TestStack/B] idleTimeout is set on the load balancer this construct creates');
    expect(() => new PrivateFargateBehindAlb(stack, 'C', { ...shared, webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/y' }))
      .toThrow('[TestStack/C] webAclArn is associated with the load balancer this construct creates');
  });

  test.each([['200,302'], ['200-299'], ['499'], ['200-204,301'], ['200,301-302']])('healthyHttpCodes %s is accepted', (codes) => {
    expect(() => synth({ healthyHttpCodes: codes })).not.toThrow();
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

    expect(() => new PrivateFargateBehindAlb(stack, 'Web', { vpc, internetFacing: false })).toThrow(
      '[TestStack/Web] vpc must have private subnets in at least 2 availability zones for the internal load balancer; received the VPC vpc-0one ' +
      'with private subnets in 1. Give a VPC with a private subnet in each of two availability zones',
    );
  });
});
