import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { readArchitecture, renderSvg } from '../scripts/diagram';
import { PrivateFargateBehindAlb } from '../src';

describe('the architecture picture', () => {
  test('is read from the template: load balancers, listener and container ports, task counts, endpoints', () => {
    const stack = new Stack(new App(), 'TestStack');
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080, minCapacity: 2, maxCapacity: 4 });

    const architecture = readArchitecture(Template.fromStack(stack).toJSON() as any);

    expect(architecture).toEqual({
      cidr: '10.0.0.0/16',
      azs: 2,
      natGateways: 0,
      loadBalancers: [{ name: 'WebLoadBalancer', listeners: [80, 8080] }],
      services: [
        { name: 'WebService', loadBalancer: 'WebLoadBalancer', listenerPort: 80, containerPort: 80, min: 1, max: 3 },
        { name: 'ApiService', loadBalancer: 'WebLoadBalancer', listenerPort: 8080, containerPort: 8080, min: 2, max: 4 },
      ],
      endpoints: ['ecr.api', 'ecr.dkr', 'logs', 's3 (gateway)'],
    });
    expect(renderSvg(architecture)).toContain('8080 → 8080');
  });

  test('a service reached through its rule on the HTTPS listener, whose default answers 404, is drawn on that listener', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'web.example.com', hostedZone });

    const architecture = readArchitecture(Template.fromStack(stack).toJSON() as any);

    // The mistake: only a listener's default action counted, which draws the service on no listener (port 0).
    expect(architecture.services).toEqual([expect.objectContaining({ name: 'WebService', listenerPort: 443, containerPort: 80 })]);
  });
});
