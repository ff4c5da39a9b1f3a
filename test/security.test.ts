import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { newStack, synth, synthesized } from './helpers';
import { CONCRETE_ENV } from './matrix';
import { Deployment, PrivateFargateBehindAlb } from '../src';


const tasksGroup = { 'Fn::GetAtt': [Match.stringLikeRegexp('WebServiceSecurityGroup'), 'GroupId'] };

describe('outbound traffic of the tasks', () => {
  test('in an environment-agnostic stack the tasks reach the endpoints by security group, and only S3 and DynamoDB by address', () => {
    const template = synth();

    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Fargate tasks'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', Description: 'HTTPS to S3 and DynamoDB (gateway endpoints)', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 }],
    });
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress', { Properties: { GroupId: tasksGroup } }));
    expect(egress.map((rule) => rule.Properties)).toEqual([{
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebServiceSecurityGroup/), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      Description: 'HTTPS to the VPC endpoints',
      DestinationSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/FargateVpcEndpointsSecurityGroup/), 'GroupId'] },
    }]);
  });

  test('with a concrete account and region the tasks may send HTTPS only to the endpoints and the S3 prefix list', () => {
    const template = synth({}, CONCRETE_ENV);

    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress', { Properties: { GroupId: tasksGroup } }));
    expect(egress.map((rule) => [rule.Properties.FromPort, rule.Properties.ToPort])).toEqual([[443, 443], [443, 443]]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: tasksGroup,
      DestinationPrefixListId: Match.stringLikeRegexp('^pl-'),
      Description: 'HTTPS to S3 through the gateway endpoint',
    });
    // No other egress: nothing inline in the tasks' group.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Fargate tasks'),
      SecurityGroupEgress: Match.absent(),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: tasksGroup,
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FargateVpcEndpointsSecurityGroup'), 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
    });
  });

  test('allowAllOutbound lets the tasks send anywhere', () => {
    synth({ allowAllOutbound: true }).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Fargate tasks'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', Description: 'Allow all outbound traffic by default', IpProtocol: '-1' }],
    });
  });
});

describe('HTTPS', () => {
  const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';

  test('a certificate gives an HTTPS listener on 443 with the recommended TLS policy, forwarding to the tasks on port', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn);
    const web = new PrivateFargateBehindAlb(stack, 'Web', { certificate, port: 8080 });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificateArn }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('WebTargetGroup') } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    expect(stack.resolve(web.url)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/WebLoadBalancer/), 'DNSName'] }]] });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Internet-facing load balancer'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
      ],
    });
  });
});

describe('secrets and ECS Exec', () => {
  test('secrets add the Secrets Manager and SSM endpoints, and the execution role reads only those secrets', () => {
    const stack = newStack();
    const password = secretsmanager.Secret.fromSecretNameV2(stack, 'Password', 'prod/db-password');
    const apiKey = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiKey', { parameterName: '/prod/api-key' });

    new PrivateFargateBehindAlb(stack, 'Web', {
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(password), API_KEY: ecs.Secret.fromSsmParameter(apiKey) },
    });

    const template = Template.fromStack(stack);
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
      .map((endpoint) => endpoint.Properties.ServiceName['Fn::Join'][1][2]).sort();
    expect(services).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.secretsmanager', '.ssm']);
    // The execution role's policy is in the role.
    const [executionRole] = Object.entries(template.findResources('AWS::IAM::Role'))
      .filter(([id]) => id.startsWith('WebExecutionRole')).map(([, role]) => role);
    const statements = executionRole.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
    const secretStatements = statements.filter((s: any) => JSON.stringify(s.Action).match(/secretsmanager:|ssm:/));
    expect(secretStatements).toHaveLength(2);
    // Sorted by name: API_KEY, then DB_PASSWORD.
    expect(JSON.stringify(secretStatements[0].Resource)).toContain('parameter/prod/api-key');
    expect(JSON.stringify(secretStatements[1].Resource)).toContain('secret:prod/db-password');
  });

  test('two services with secrets on one VPC share one Secrets Manager endpoint', () => {
    const stack = newStack();
    const password = ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'Password', 'prod/db-password'));
    const web = new PrivateFargateBehindAlb(stack, 'Web', { secrets: { DB_PASSWORD: password } });
    new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080, secrets: { DB_PASSWORD: password } });

    Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.secretsmanager']] },
    }, 1);
  });

  test('enableExecuteCommand adds the SSM Messages endpoint and enables exec on the service', () => {
    const template = synth({ enableExecuteCommand: true });

    template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.ssmmessages']] },
      PrivateDnsEnabled: true,
    });
  });
});

describe('least privilege', () => {
  test('the task role has no policy until the user grants one', () => {
    const template = synth();

    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies.some((policy) => JSON.stringify(policy.Properties.Roles).includes('TaskRole'))).toBe(false);
  });

  test('the execution role may pull only its image and write only its own log group', () => {
    const template = synth();

    // In the role itself: no policy resource, so the role never exists without its rights.
    expect(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ExecutionRole') }] } })).toEqual({});
    const [executionRole] = Object.entries(template.findResources('AWS::IAM::Role'))
      .filter(([id]) => id.startsWith('WebExecutionRole')).map(([, role]) => role);
    // Named apart from the policy resource it replaces in stacks made before.
    expect(executionRole.Properties.Policies.map((policy: any) => policy.PolicyName)).toEqual(['Granted']);
    const statements = executionRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Action)).toEqual([
      ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      'ecr:GetAuthorizationToken',
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
    ]);
    expect(JSON.stringify(statements[0].Resource)).toContain('container-assets');
    expect(statements[1].Resource).toBe('*');
    expect(statements[2].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebLogGroup/), 'Arn'] });
  });

  test('the VPC the construct creates logs rejected traffic to a log group kept one month', () => {
    const template = synth();

    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('access logs', () => {
  test('a user bucket receives the access logs in a stack with a concrete region', () => {
    const stack = newStack(CONCRETE_ENV);
    const bucket = new s3.Bucket(stack, 'Logs');

    new PrivateFargateBehindAlb(stack, 'Web', { accessLogsBucket: bucket });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^Logs') } }]),
    });
  });

  test('services in one stack share one access-log bucket', () => {
    const stack = newStack(CONCRETE_ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080 });

    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 1);
  });

  // The mistake: asking for a concrete account as well (as the prefix lists do): the delivery principal is the region's.
  test('a stack with a region but no account gets access logs, delivered by the region\'s load balancing account', () => {
    const template = synth({}, { region: 'us-east-1' });

    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^PrivateFargateAccessLogs') } },
      ]),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 's3:PutObject',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::127311923021:root']] } },
        })]),
      },
    });
  });

  // The mistake: one prefix for every load balancer of the stack (or none): their logs would mix in one folder.
  test('each load balancer of a stack writes under a prefix of its own service, which the bucket lets it write to', () => {
    const stack = newStack(CONCRETE_ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080 });

    const template = Template.fromStack(stack);
    const prefixes = Object.entries(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')).map(([id, loadBalancer]) =>
      [id.replace(/[0-9A-F]{8}$/, ''), loadBalancer.Properties.LoadBalancerAttributes.find((a: any) => a.Key === 'access_logs.s3.prefix').Value]);
    expect(prefixes).toEqual([['WebLoadBalancer', 'TestStackWeb295BC7D3'], ['ApiLoadBalancer', 'TestStackApi46A8C9EA']]);
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const written = policy.Properties.PolicyDocument.Statement
      .filter((statement: any) => statement.Action === 's3:PutObject' && statement.Principal.AWS)
      .map((statement: any) => statement.Resource['Fn::Join'][1][1]);
    expect(written).toEqual(['/TestStackWeb295BC7D3/AWSLogs/123456789012/*', '/TestStackApi46A8C9EA/AWSLogs/123456789012/*']);
  });

  // The mistake: a bucket removed with the stack, taking the access logs of every service of the stack with it.
  test('the access-log bucket is retained when the stack is deleted or the bucket replaced', () => {
    const [bucket] = Object.values(synth({}, CONCRETE_ENV).findResources('AWS::S3::Bucket'));

    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('a user bucket in an environment-agnostic stack is refused', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Logs');

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', { accessLogsBucket: bucket }))).toThrow(
      '[TestStack/Web] accessLogsBucket needs a stack with a concrete region; received an environment-agnostic stack. Give the stack an environment with a region',
    );
  });
});

describe('reliability', () => {
  test.each([
    ['the default canary deployment', undefined, ['AWS::ElasticLoadBalancingV2::TargetGroup WebAlternateTargetGroupB211FDA6'],
      ['AWS::Logs::LogGroup PrivateFargateTrafficControlLogGroup103FA951']],
    ['Deployment.rolling()', Deployment.rolling(), [], ['AWS::Logs::LogGroup PrivateFargateTrafficControlLogGroup103FA951']],
  ])('the logical IDs users depend on do not change, with %s', (_, deployment, extra, extraLogs) => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web', { deployment });

    const ids = Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>)
      .filter(([, resource]) => [
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        'AWS::ElasticLoadBalancingV2::Listener',
        'AWS::ElasticLoadBalancingV2::TargetGroup',
        'AWS::ECS::Service',
        'AWS::Logs::LogGroup',
        'AWS::EC2::VPCEndpoint',
      ].includes(resource.Type))
      .map(([id, resource]) => `${resource.Type} ${id}`)
      .sort();
    expect(ids).toEqual([
      'AWS::EC2::VPCEndpoint WebVpcFargateVpcEndpointsEcrApi03D856BD',
      'AWS::EC2::VPCEndpoint WebVpcFargateVpcEndpointsEcrDkrCBC58EC5',
      'AWS::EC2::VPCEndpoint WebVpcFargateVpcEndpointsLogs95B090A3',
      'AWS::EC2::VPCEndpoint WebVpcFargateVpcEndpointsS30C1B461C',
      'AWS::ECS::Service WebServiceD04B5F3E',
      'AWS::ElasticLoadBalancingV2::Listener WebListenerAEEC7462',
      'AWS::ElasticLoadBalancingV2::LoadBalancer WebLoadBalancer8E8983B1',
      ...extra,
      'AWS::ElasticLoadBalancingV2::TargetGroup WebTargetGroupFE6444AE',
      ...extraLogs,
      'AWS::Logs::LogGroup WebFlowLogs5C43A9B8',
      'AWS::Logs::LogGroup WebLogGroup1664F270',
    ]);
  });

  test('the logical IDs of the optional endpoints do not change', () => {
    const stack = newStack();
    const password = secretsmanager.Secret.fromSecretNameV2(stack, 'Password', 'prod/db-password');
    const apiKey = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiKey', { parameterName: '/prod/api-key' });
    new PrivateFargateBehindAlb(stack, 'Web', {
      enableExecuteCommand: true,
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(password), API_KEY: ecs.Secret.fromSsmParameter(apiKey) },
    });

    const ids = Object.keys(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint')).sort();
    expect(ids).toEqual([
      'WebVpcFargateVpcEndpointsEcrApi03D856BD',
      'WebVpcFargateVpcEndpointsEcrDkrCBC58EC5',
      'WebVpcFargateVpcEndpointsLogs95B090A3',
      'WebVpcFargateVpcEndpointsS30C1B461C',
      'WebVpcFargateVpcEndpointsSecretsmanagerC20B3267',
      'WebVpcFargateVpcEndpointsSsmD99D7D60',
      'WebVpcFargateVpcEndpointsSsmmessages691F97B9',
    ]);
  });

  test('a VPC from Vpc.fromLookup whose lookup is still pending synthesizes', () => {
    const stack = newStack(CONCRETE_ENV);
    const vpc = ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: 'vpc-12345678' });

    new PrivateFargateBehindAlb(stack, 'Web', { vpc });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    template.resourceCountIs('AWS::ECS::Service', 1);
  });
});
