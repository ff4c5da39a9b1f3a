import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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
});
