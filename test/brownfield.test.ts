/**
 * Where users really deploy: VPCs they already have, several stacks on one VPC, and services
 * customized after the constructor. What synthesizes must deploy and run; what cannot is refused.
 */
import { App, CfnParameter, Duration, Fn, Lazy, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { DockerImageName, ECRDeployment } from 'cdk-ecr-deployment';
import { executionRoleStatements, newStack, refusalsOf, synth, synthesized } from './helpers';
import { FargateVpcEndpoints, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';

const ENV = { account: '123456789012', region: 'us-east-1' };

/** The attributes of an existing VPC: public and isolated subnets in two AZs, with their route tables. */
const ISOLATED_VPC: ec2.VpcAttributes = {
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidrBlock: '172.16.0.0/16',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
  publicSubnetRouteTableIds: ['rtb-pub', 'rtb-pub'],
  isolatedSubnetIds: ['subnet-iso1', 'subnet-iso2'],
  isolatedSubnetRouteTableIds: ['rtb-iso1', 'rtb-iso2'],
};

/** The same VPC with private subnets that route to a NAT gateway instead of isolated ones. */
const NAT_VPC: ec2.VpcAttributes = {
  vpcId: 'vpc-0fedcba9876543210',
  vpcCidrBlock: '172.17.0.0/16',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
  privateSubnetIds: ['subnet-priv1', 'subnet-priv2'],
  privateSubnetRouteTableIds: ['rtb-priv1', 'rtb-priv2'],
};

function endpointServices(template: Template): string[] {
  return Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
    .map((endpoint) => endpoint.Properties.ServiceName)
    .map((name) => typeof name === 'string' ? name.replace(/^com\.amazonaws\.[a-z0-9-]+/, '') : (name['Fn::Join'][1] as string[]).slice(-1)[0])
    .sort();
}

function importedVpc(stack: Stack, attributes = ISOLATED_VPC): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', attributes);
}

const tasksGroup = (service = 'Web') => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${service}ServiceSecurityGroup`), 'GroupId'] });

describe('1. endpoints follow the VPC, not the object', () => {
  test('two stacks that import one VPC id each, with no home for its endpoints, are refused, naming the ways out', () => {
    const app = new App();
    const one = new Stack(app, 'One', { env: ENV });
    const two = new Stack(app, 'Two', { env: ENV });
    new PrivateFargateBehindAlb(one, 'Web', { vpc: importedVpc(one) });

    // The set made for One's import would move to Two when One's service goes, while One's still holds the private DNS names.
    expect(() => synthesized(new PrivateFargateBehindAlb(two, 'Api', { vpc: importedVpc(two), port: 8080 }))).toThrow(
      '[Two/Api] vpc: the VPC vpc-0123456789abcdef0 is imported more than once (One/Vpc and Two/Vpc), and its endpoints, made for the first ' +
      'import in the stack One, would move to another stack when the services of that import go: a second set of endpoints fails at deploy, ' +
      'since private DNS names are unique in a VPC. Give the set one home that outlives the services: a FargateVpcEndpoints made for the VPC ' +
      'in the stack that owns the network, before the services (each service on that VPC id then uses it), or import the VPC once and give ' +
      'that object to every service, or give endpointSecurityGroup (endpoints made outside this app)');
  });

  test('the first way out: one set of endpoints made in the network stack, which every stack importing the VPC id shares and admits its tasks to', () => {
    const app = new App();
    const network = new Stack(app, 'Network', { env: ENV });
    new FargateVpcEndpoints(network, 'Endpoints', { vpc: importedVpc(network) });
    const one = new Stack(app, 'One', { env: ENV });
    const two = new Stack(app, 'Two', { env: ENV });

    new PrivateFargateBehindAlb(one, 'Web', { vpc: importedVpc(one) });
    new PrivateFargateBehindAlb(two, 'Api', { vpc: importedVpc(two), port: 8080 });

    expect(endpointServices(Template.fromStack(network))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
    for (const [stack, service] of [[one, 'Web'], [two, 'Api']] as const) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('EndpointsSecurityGroup') },
        SourceSecurityGroupId: tasksGroup(service),
        FromPort: 443,
      });
      expect(stack.dependencies).toContain(network);
    }
  });

  test('the second way out: the VPC imported once, and that object given to the services of both stacks', () => {
    const app = new App();
    const one = new Stack(app, 'One', { env: ENV });
    const two = new Stack(app, 'Two', { env: ENV });
    const vpc = importedVpc(one);

    new PrivateFargateBehindAlb(one, 'Web', { vpc });
    new PrivateFargateBehindAlb(two, 'Api', { vpc, port: 8080 });

    expect(endpointServices(Template.fromStack(one))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
    Template.fromStack(two).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('the third way out: the VPC\'s own endpoints, given to the services of both stacks by their security group', () => {
    const app = new App();
    const services = [['One', 'Web', 80], ['Two', 'Api', 8080]] as const;
    for (const [name, id, port] of services) {
      const stack = new Stack(app, name, { env: ENV });
      const endpointSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Endpoints', 'sg-0endpoints');
      new PrivateFargateBehindAlb(stack, id, { vpc: importedVpc(stack), endpointSecurityGroup, port });
    }

    for (const [name] of services) Template.fromStack(app.node.findChild(name) as Stack).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('two stacks that look up one VPC share the set made in a network stack', () => {
    const vpcContext = {
      vpcId: 'vpc-0abc',
      vpcCidrBlock: '10.1.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      subnetGroups: [
        { name: 'Public', type: 'Public', subnets: ['a', 'b'].map((az, i) => ({ subnetId: `subnet-p${i}`, cidr: `10.1.${i}.0/24`, availabilityZone: `us-east-1${az}`, routeTableId: 'rtb-public' })) },
        { name: 'Isolated', type: 'Isolated', subnets: ['a', 'b'].map((az, i) => ({ subnetId: `subnet-i${i}`, cidr: `10.1.${10 + i}.0/24`, availabilityZone: `us-east-1${az}`, routeTableId: `rtb-i${i}` })) },
      ],
    };
    const app = new App({
      context: { 'vpc-provider:account=123456789012:filter.vpc-id=vpc-0abc:region=us-east-1:returnAsymmetricSubnets=true': vpcContext },
    });
    const stacks = ['Network', 'One', 'Two'].map((name) => new Stack(app, name, { env: ENV }));
    const lookup = (stack: Stack) => ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: 'vpc-0abc' });
    new FargateVpcEndpoints(stacks[0], 'Endpoints', { vpc: lookup(stacks[0]) });

    for (const stack of stacks.slice(1)) new PrivateFargateBehindAlb(stack, 'Web', { vpc: lookup(stack) });

    expect(stacks.map((stack) => Template.fromStack(stack).toJSON().Resources)
      .map((resources) => Object.values(resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint').length))
      .toEqual([4, 0, 0]);
  });

  test('a second set made with new beside of() for one VPC is refused, naming the set that exists', () => {
    const stack = newStack(ENV);
    const vpc = importedVpc(stack);
    FargateVpcEndpoints.of(vpc);
    const again = ec2.Vpc.fromVpcAttributes(stack, 'Again', ISOLATED_VPC);

    expect(() => synthesized(new FargateVpcEndpoints(stack, 'More', { vpc: again }))).toThrow(
      '[TestStack/More] vpc must get one set of endpoints in an app; received the VPC vpc-0123456789abcdef0, whose endpoints ' +
      'TestStack/Vpc/FargateVpcEndpoints (stack TestStack) already creates: a second private-DNS endpoint or S3 route fails at deploy. ' +
      'Create the set before the services that use the VPC, or use FargateVpcEndpoints.of(vpc) to share that set',
    );
    expect(FargateVpcEndpoints.of(again)).toBe(FargateVpcEndpoints.of(vpc));
    // The way out, in an app of its own: of() for both imports gives one set, and the app synthesizes.
    const wayOut = newStack(ENV);
    expect(FargateVpcEndpoints.of(ec2.Vpc.fromVpcAttributes(wayOut, 'Again', ISOLATED_VPC))).toBe(FargateVpcEndpoints.of(importedVpc(wayOut)));
    Template.fromStack(wayOut).resourceCountIs('AWS::EC2::VPCEndpoint', 4);
  });

  test('a stack of another environment that cannot reference the set is refused, naming the stack that owns it', () => {
    const app = new App();
    const one = new Stack(app, 'One', { env: ENV });
    const other = new Stack(app, 'Other', { env: { account: '123456789012', region: 'eu-west-1' } });
    new PrivateFargateBehindAlb(one, 'Web', { vpc: importedVpc(one) });

    expect(() => synthesized(new PrivateFargateBehindAlb(other, 'Web', { vpc: importedVpc(other) }))).toThrow(
      /^ {2}\[Other\/Web\] vpcEndpoints: the VPC vpc-0123456789abcdef0 already has its endpoints in the stack One .*Set endpointSecurityGroup/m,
    );
  });
});

test('a stack of another stage in the same environment is refused as well', () => {
  const app = new App();
  const one = new Stack(new Stage(app, 'Prod'), 'One', { env: ENV });
  const other = new Stack(new Stage(app, 'Dev'), 'Other', { env: ENV });
  new PrivateFargateBehindAlb(one, 'Web', { vpc: importedVpc(one) });

  expect(() => synthesized(new PrivateFargateBehindAlb(other, 'Web', { vpc: importedVpc(other) }))).toThrow(
    '[Dev/Other/Web] vpcEndpoints: the VPC vpc-0123456789abcdef0 already has its endpoints in the stack Prod-One (Prod/One/Vpc/FargateVpcEndpoints), ' +
    'which the stack Dev-Other cannot reference (another stage or environment), and a second set fails at deploy. ' +
    'Set endpointSecurityGroup to the security group of those endpoints (imported by id), or create these services in one stage and environment, ' +
    'with one VPC object',
  );
  // The first way out: the endpoints of the other stage, by their security group's id.
  const wayOut = new App();
  const prod = new Stack(new Stage(wayOut, 'Prod'), 'One', { env: ENV });
  new PrivateFargateBehindAlb(prod, 'Web', { vpc: importedVpc(prod) });
  const dev = new Stack(new Stage(wayOut, 'Dev'), 'Other', { env: ENV });
  const endpointSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(dev, 'Endpoints', 'sg-0123456789abcdef0');
  const api = new PrivateFargateBehindAlb(dev, 'Web', { vpc: importedVpc(dev), endpointSecurityGroup });
  expect(refusalsOf(api)).toEqual([]);
  Template.fromStack(dev).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
});

describe('2. a VPC that already has endpoints', () => {
  test('endpointSecurityGroup: no endpoint is created, the group admits the tasks on 443 and the tasks send HTTPS to it', () => {
    const stack = newStack(ENV);
    const endpointSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Endpoints', 'sg-0endpoints');

    new PrivateFargateBehindAlb(stack, 'Web', { vpc: importedVpc(stack), endpointSecurityGroup });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0endpoints', SourceSecurityGroupId: tasksGroup(), FromPort: 443, ToPort: 443, Description: 'HTTPS to the VPC endpoints from the Fargate tasks',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: tasksGroup(), DestinationSecurityGroupId: 'sg-0endpoints', FromPort: 443 });
  });

  // The mistake: refusing only vpcEndpoints true. With false beside it, which of the two the construct follows is a guess.
  test.each([true, false])('endpointSecurityGroup together with vpcEndpoints %s is refused', (vpcEndpoints) => {
    const stack = newStack();
    const endpointSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Endpoints', 'sg-0endpoints');

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', { endpointSecurityGroup, vpcEndpoints })))
      .toThrow('[TestStack/Web] You can only specify either endpointSecurityGroup or vpcEndpoints: with endpointSecurityGroup the construct uses the VPC\'s endpoints and creates none');
  });
});

describe('3. the endpoints never cut other workloads off AWS', () => {
  test('in the VPC the construct creates, the endpoints serve the tasks only and S3 allows only the ECR layers', () => {
    const template = synth();

    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'VPC interface endpoints: HTTPS from the Fargate tasks only',
      SecurityGroupIngress: [Match.objectLike({ SourceSecurityGroupId: tasksGroup() })],
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', PolicyDocument: Match.objectLike({}) });
  });

  test('in an isolated VPC the user has, the endpoints admit the VPC CIDR and S3 keeps its default policy, also with a granted bucket', () => {
    const stack = newStack(ENV);

    const web = new PrivateFargateBehindAlb(stack, 'Web', { vpc: importedVpc(stack) });
    new s3.Bucket(stack, 'Data').grantRead(web.taskDefinition.taskRole);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'VPC interface endpoints: HTTPS from the VPC',
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '172.16.0.0/16', FromPort: 443, Description: 'HTTPS from the VPC' })]),
      // The endpoints answer; they start no connection.
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      RouteTableIds: ['rtb-iso1', 'rtb-iso2'],
      PolicyDocument: Match.absent(),
    });
  });

  test('where the task subnets have egress through a NAT, no endpoint is created and the tasks send HTTPS out', () => {
    const stack = newStack(ENV);
    const vpc = importedVpc(stack, NAT_VPC);

    const web = new PrivateFargateBehindAlb(stack, 'Web', { vpc });
    new sqs.Queue(stack, 'Queue').grantSendMessages(web.taskDefinition.taskRole);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Fargate tasks'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, Description: 'HTTPS to AWS APIs' })],
    });
  });

  test('an imported VPC without its CIDR is refused, with the ways out', () => {
    const stack = newStack(ENV);
    const vpc = importedVpc(stack, { ...ISOLATED_VPC, vpcCidrBlock: undefined });

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', { vpc }))).toThrow(
      /^ {2}\[TestStack\/Vpc\/FargateVpcEndpoints\] vpc must have a known CIDR.*received the VPC vpc-0123456789abcdef0 without vpcCidrBlock\. Give vpcCidrBlock to Vpc.fromVpcAttributes, or use the endpoints the VPC already has \(endpointSecurityGroup\)$/m,
    );
    // Both ways out synthesize: the CIDR (the endpoints admit it), or the VPC's own endpoints (none is made).
    const withCidr = newStack(ENV);
    new PrivateFargateBehindAlb(withCidr, 'Web', { vpc: importedVpc(withCidr) });
    Template.fromStack(withCidr).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '172.16.0.0/16', FromPort: 443, Description: 'HTTPS from the VPC' })]),
    });
    const withEndpoints = newStack(ENV);
    const endpointSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(withEndpoints, 'Endpoints', 'sg-0endpoints');
    new PrivateFargateBehindAlb(withEndpoints, 'Web', { vpc: importedVpc(withEndpoints, { ...ISOLATED_VPC, vpcCidrBlock: undefined }), endpointSecurityGroup });
    Template.fromStack(withEndpoints).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('an imported VPC whose id is a token and whose CIDR is unknown is named by its path', () => {
    const stack = newStack(ENV);
    const vpc = importedVpc(stack, { ...ISOLATED_VPC, vpcId: Fn.importValue('SharedVpcId'), vpcCidrBlock: undefined });

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', { vpc }))).toThrow(/received the VPC TestStack\/Vpc without vpcCidrBlock\./);
  });
});

describe('4. what the tasks use is reachable, decided at synth', () => {
  test('a secret added after the constructor, and a sidecar\'s SSM secret, add their endpoints', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    web.container.addSecret('DB_PASSWORD', ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'Password', 'prod/db')));
    web.taskDefinition.addContainer('sidecar', {
      image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'sidecar')),
      secrets: { TOKEN: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', { parameterName: '/token' })) },
    });

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.secretsmanager', '.ssm']);
  });

  test('a bucket granted to the task role is added to the S3 endpoint\'s policy', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    new s3.Bucket(stack, 'Data').grantRead(web.taskDefinition.taskRole);

    const [endpoint] = Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    const statements = endpoint.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual(expect.objectContaining({
      Principal: { AWS: '*' },
      Action: expect.arrayContaining(['s3:GetObject*', 's3:List*']),
      Resource: expect.arrayContaining([{ 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] }]),
    }));
  });

  test('the S3 endpoint\'s policy takes only the S3 actions a task role is allowed, and a denial adds no endpoint', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 'sqs:SendMessage'], resources: ['arn:aws:s3:::my-data/*', 'arn:aws:sqs:us-east-1:123456789012:jobs'],
    }));
    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY, actions: ['s3:DeleteObject', 'sns:Publish'], resources: ['*'],
    }));

    const template = Template.fromStack(stack);
    expect(endpointServices(template)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
    const [endpoint] = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    const statements = endpoint.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 's3:GetObject',
      Resource: ['arn:aws:s3:::my-data/*', 'arn:aws:sqs:us-east-1:123456789012:jobs'],
    });
  });

  test('an environment file is readable by the execution role and allowed by the S3 endpoint', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    web.taskDefinition.addContainer('sidecar', {
      image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'sidecar')),
      environmentFiles: [ecs.EnvironmentFile.fromBucket(s3.Bucket.fromBucketName(stack, 'Config', 'my-config'), 'app.env')],
    });

    const template = Template.fromStack(stack);
    const objectArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-config/app.env']] };
    // The execution role's policy is in the role.
    const [executionRole] = Object.entries(template.findResources('AWS::IAM::Role'))
      .filter(([id]) => id.startsWith('WebExecutionRole')).map(([, role]) => role);
    expect(executionRole.Properties.Policies[0].PolicyDocument.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:GetObject', Resource: objectArn }),
      expect.objectContaining({ Action: 's3:GetBucketLocation', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-config']] } }),
    ]));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:GetObject', Resource: objectArn })]) },
    });
  });

  test('DynamoDB gets a free gateway endpoint and SQS an interface endpoint when the task role is granted them', () => {
    const prefixList = (service: string) => 'cc-api-provider:account=123456789012:expectedMatchCount=exactly-one:propertiesToReturn.0=PrefixListId:' +
      `propertyMatch.PrefixListName=com.amazonaws.us-east-1.${service}:region=us-east-1:typeName=AWS$:$:EC2$:$:PrefixList`;
    const app = new App({ context: { [prefixList('s3')]: [{ PrefixListId: 'pl-63a5400a' }], [prefixList('dynamodb')]: [{ PrefixListId: 'pl-02cd2c6b' }] } });
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } }).grantReadData(web.taskDefinition.taskRole);
    new sqs.Queue(stack, 'Queue').grantSendMessages(web.taskDefinition.taskRole);

    const template = Template.fromStack(stack);
    expect(endpointServices(template)).toEqual(['.dynamodb', '.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: tasksGroup(),
      Description: 'HTTPS to DynamoDB through the gateway endpoint',
      DestinationPrefixListId: 'pl-02cd2c6b',
    });
  });

  test('without a DynamoDB grant the tasks get no route to DynamoDB\'s prefix list', () => {
    const prefixList = (service: string) => 'cc-api-provider:account=123456789012:expectedMatchCount=exactly-one:propertiesToReturn.0=PrefixListId:' +
      `propertyMatch.PrefixListName=com.amazonaws.us-east-1.${service}:region=us-east-1:typeName=AWS$:$:EC2$:$:PrefixList`;
    const app = new App({ context: { [prefixList('s3')]: [{ PrefixListId: 'pl-63a5400a' }], [prefixList('dynamodb')]: [{ PrefixListId: 'pl-02cd2c6b' }] } });
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new sqs.Queue(stack, 'Queue').grantSendMessages(web.taskDefinition.taskRole);

    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { DestinationPrefixListId: 'pl-02cd2c6b' }, 0);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { DestinationPrefixListId: 'pl-63a5400a' }, 1);
  });

  test('with endpointsForGrantedServices false, a granted service without an endpoint is refused, listing the services', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { endpointsForGrantedServices: false });

    new sqs.Queue(stack, 'Queue').grantSendMessages(web.taskDefinition.taskRole);
    new sns.Topic(stack, 'Topic').grantPublish(web.taskDefinition.taskRole);

    expect(() => Template.fromStack(stack)).toThrow('[TestStack/Web] the task role is granted sns, sqs, which the tasks cannot reach: their subnets ' +
      'have no route to the internet. The VPC has no endpoint for sns, sqs: set endpointsForGrantedServices to true, or add each with ' +
      'FargateVpcEndpoints.of(vpc).addInterfaceEndpoint(...) (the endpoint service named com.amazonaws.REGION.sns, com.amazonaws.REGION.sqs). ' +
      'Or give taskSubnets with egress (a NAT gateway)');
  });

  test('with endpointsForGrantedServices false, an endpoint the user added is enough', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { endpointsForGrantedServices: false });

    new sqs.Queue(stack, 'Queue').grantSendMessages(web.taskDefinition.taskRole);
    FargateVpcEndpoints.of(web.vpc).addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SQS);

    expect(endpointServices(Template.fromStack(stack))).toContain('.sqs');
  });

  test('an action that is a token is passed over: it names no service to reach', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [Lazy.string({ produce: () => 'comprehend:DetectSentiment' })], resources: ['*'],
    }));

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
  });

  test('a grant of every action is refused with what to grant instead, and the way out synthesizes', () => {
    const grant = (actions: string[]) => {
      const stack = newStack();
      const web = new PrivateFargateBehindAlb(stack, 'Web');
      web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
      return () => Template.fromStack(stack);
    };

    expect(grant(['*'])).toThrow('[TestStack/Web] the task role is granted *, which the tasks cannot reach: their subnets have no route to ' +
      'the internet. A grant of every action ("*") names no service to make an endpoint for: grant the actions the tasks call. ' +
      'Or give taskSubnets with egress (a NAT gateway)');
    expect(endpointServices(grant(['sqs:SendMessage'])())).toContain('.sqs');
  });

  // The mistake: the IAM prefix taken for the endpoint's name. CloudWatch's metrics API (cloudwatch:PutMetricData) is served
  // by the endpoint com.amazonaws.REGION.monitoring, not ...cloudwatch, which does not exist.
  test('a task role granted cloudwatch:PutMetricData gets the monitoring endpoint', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'] }));

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.monitoring', '.s3']);
  });

  test('a granted service with no endpoint the construct knows is refused, and adding the endpoint its message names is the way out', () => {
    const grant = (addEndpoint: boolean) => {
      const stack = newStack();
      const web = new PrivateFargateBehindAlb(stack, 'Web');
      web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['comprehend:DetectSentiment'], resources: ['*'] }));
      if (addEndpoint) FargateVpcEndpoints.of(web.vpc).addInterfaceEndpoint(new ec2.InterfaceVpcEndpointAwsService('comprehend'));
      return Template.fromStack(stack);
    };

    expect(() => grant(false)).toThrow('[TestStack/Web] the task role is granted comprehend, which the tasks cannot reach: their subnets have no ' +
      'route to the internet. The VPC has no endpoint for comprehend: add it with FargateVpcEndpoints.of(vpc).addInterfaceEndpoint(...) (the ' +
      'endpoint service named com.amazonaws.REGION.comprehend). Or give taskSubnets with egress (a NAT gateway)');
    expect(endpointServices(grant(true))).toContain('.comprehend');
  });

  test('a grant is served by the endpoint of its action, not of its prefix: bedrock:InvokeModel by bedrock-runtime', () => {
    const grant = (actions: string[], endpointsForGrantedServices = true) => {
      const stack = newStack();
      const web = new PrivateFargateBehindAlb(stack, 'Web', { endpointsForGrantedServices });
      web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
      return { stack, web, template: () => Template.fromStack(stack) };
    };

    expect(endpointServices(grant(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']).template())).toContain('.bedrock-runtime');
    expect(endpointServices(grant(['bedrock:Retrieve']).template())).toContain('.bedrock-agent-runtime');
    expect(endpointServices(grant(['bedrock:ListFoundationModels']).template())).toContain('.bedrock');
    expect(endpointServices(grant(['sagemaker:InvokeEndpoint']).template())).toContain('.sagemaker.runtime');
    // The mistakes: a Bedrock control-plane action (agents, knowledge bases) or a SageMaker API call sent to a runtime endpoint, or the reverse.
    expect(endpointServices(grant(['bedrock:GetKnowledgeBase']).template())).toContain('.bedrock-agent');
    expect(endpointServices(grant(['bedrock:Get*']).template())).toEqual(['.bedrock', '.ecr.api', '.ecr.dkr', '.logs', '.s3']);
    expect(endpointServices(grant(['bedrock:*']).template())).toEqual(['.bedrock-runtime', '.ecr.api', '.ecr.dkr', '.logs', '.s3']);
    expect(endpointServices(grant(['sagemaker:InvokeEndpointAsync']).template())).toContain('.sagemaker.runtime');
    expect(endpointServices(grant(['sagemaker:CreateModel']).template())).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sagemaker.api']);
    // With endpointsForGrantedServices false, the message names the endpoint that serves the action, and adding it is the way out.
    const refused = grant(['bedrock:InvokeModel'], false);
    expect(refused.template).toThrow(/the task role is granted bedrock-runtime, .* \(the endpoint service named com\.amazonaws\.REGION\.bedrock-runtime\)/);
    const fixed = grant(['bedrock:InvokeModel'], false);
    FargateVpcEndpoints.of(fixed.web.vpc).addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME);
    expect(endpointServices(fixed.template())).toContain('.bedrock-runtime');
  });

  test('IAM is reached through its endpoint in us-east-1 only; elsewhere, and for Route 53, the way out is egress', () => {
    const grant = (actions: string[], env?: { account: string; region: string }, taskSubnets?: ec2.SubnetSelection) => {
      const stack = newStack(env);
      const vpc = taskSubnets ? new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }) : undefined;
      const web = new PrivateFargateBehindAlb(stack, 'Web', { vpc, taskSubnets });
      web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
      return () => Template.fromStack(stack);
    };

    grant(['iam:GetRole'], ENV)().hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.iam', PrivateDnsEnabled: true });
    expect(grant(['iam:GetRole'], { account: '123456789012', region: 'eu-west-1' })).toThrow(
      /the task role is granted iam, which the tasks cannot reach: their subnets have no route to the internet\. IAM has a VPC endpoint in us-east-1 only\. Or give taskSubnets with egress \(a NAT gateway\)/);
    expect(grant(['route53:ChangeResourceRecordSets'])).toThrow(/Route 53 has no VPC endpoint for its API\. Or give taskSubnets with egress/);
    // iam:PassRole is no call: nothing to reach.
    expect(endpointServices(grant(['iam:PassRole'], { account: '123456789012', region: 'eu-west-1' })())).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
    // The way out, task subnets with egress, synthesizes.
    grant(['route53:ChangeResourceRecordSets'], undefined, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })().resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  // The mistakes: KMS served by its endpoint (the tasks never call KMS: S3, Secrets Manager or SQS do, for them) or
  // refused; IAM's endpoint looked for outside us-east-1; iam:PassRole read as a call to IAM.
  test('grants of a KMS key and of IAM actions made by aws-cdk-lib: no KMS endpoint, IAM\'s in us-east-1, PassRole nothing', () => {
    const grant = (region: string, endpointsForGrantedServices: boolean, grants: (stack: Stack, taskRole: iam.IRole) => void) => {
      const stack = newStack({ account: '123456789012', region });
      const web = new PrivateFargateBehindAlb(stack, 'Web', { endpointsForGrantedServices });
      grants(stack, web.taskDefinition.taskRole);
      return () => Template.fromStack(stack);
    };
    const other = (stack: Stack) => new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    const key = grant('eu-west-1', false, (stack, taskRole) => new kms.Key(stack, 'Key').grantEncryptDecrypt(taskRole))();
    key.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^WebTaskRole') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt']) })] },
    });
    expect(endpointServices(key)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);

    const passRole = grant('eu-west-1', false, (stack, taskRole) => other(stack).grantPassRole(taskRole))();
    passRole.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [Match.objectLike({ Action: 'iam:PassRole' })] } });
    expect(endpointServices(passRole)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);

    const getRole = (stack: Stack, taskRole: iam.IRole) => other(stack).grant(taskRole, 'iam:GetRole');
    grant('us-east-1', true, getRole)().hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.iam', VpcEndpointType: 'Interface' });
    expect(grant('us-east-1', false, getRole)).toThrow(/the task role is granted iam, .* \(the endpoint service named com\.amazonaws\.REGION\.iam\)/);
    expect(grant('us-west-2', true, getRole)).toThrow('the task role is granted iam, which the tasks cannot reach: their subnets have no route to the internet. ' +
      'IAM has a VPC endpoint in us-east-1 only. Or give taskSubnets with egress (a NAT gateway)');
  });

  // The mistake: comparing an action's service in the case it was written: IAM reads SQS:SendMessage as sqs:SendMessage.
  test.each<[string, string, (template: Template) => void]>([
    ['SQS:SendMessage', '*', (template) => expect(endpointServices(template)).toContain('.sqs')],
    ['DynamoDB:GetItem', '*', (template) => expect(endpointServices(template)).toContain('.dynamodb')],
    ['S3:GetObject', 'arn:aws:s3:::my-data/*', (template) => template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'S3:GetObject', Resource: 'arn:aws:s3:::my-data/*' }]) },
    })],
  ])('an action in upper case, %s, is reached as in lower case', (action, resource, check) => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: [resource] }));

    check(Template.fromStack(stack));
  });

  test.each(['KMS:Decrypt', 'IAM:PassRole'])('an action in upper case that is no call of the tasks, %s, asks for no endpoint', (action) => {
    const stack = newStack({ account: '123456789012', region: 'eu-west-1' });
    const web = new PrivateFargateBehindAlb(stack, 'Web', { endpointsForGrantedServices: false });
    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: ['*'] }));

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
  });

  // The mistake: granting the environment files only where the construct manages the endpoints. ECS reads them with
  // the execution role whatever the network: without the grant, the tasks fail to start.
  test.each<[string, (stack: Stack) => PrivateFargateBehindAlbProps]>([
    ['task subnets with egress', (stack) => ({ vpc: importedVpc(stack, NAT_VPC) })],
    ['the VPC\'s own endpoints (endpointSecurityGroup)', (stack) => ({
      vpc: importedVpc(stack), endpointSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Endpoints', 'sg-0endpoints'),
    })],
  ])('an environment file is readable by the execution role on %s, where the construct makes no endpoint', (_, props) => {
    const stack = newStack(ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web', props(stack));
    web.taskDefinition.addContainer('sidecar', {
      image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'sidecar')),
      environmentFiles: [ecs.EnvironmentFile.fromBucket(s3.Bucket.fromBucketName(stack, 'Config', 'my-config'), 'app.env')],
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(executionRoleStatements(template)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-config/app.env']] } }),
      expect.objectContaining({ Action: 's3:GetBucketLocation', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-config']] } }),
    ]));
  });

  test('with the VPC\'s own endpoints (endpointSecurityGroup), a warning names every endpoint the tasks need', () => {
    const stack = newStack(ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web', {
      vpc: importedVpc(stack),
      endpointSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Endpoints', 'sg-0123456789abcdef0'),
    });
    new sqs.Queue(stack, 'Queue').grantSendMessages(web.taskDefinition.taskRole);

    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('use endpoints the VPC has already'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringContaining(
      'they need an endpoint for each of ecr.api, ecr.dkr, logs, s3, sqs. Check that the VPC has them, the interface endpoints with private DNS and admitting the tasks on 443')]);
  });

  // The mistakes: the services listed in the order they were granted, a service with no endpoint (Route 53) or one the
  // tasks never call (KMS) listed wrongly, a service's prefix in the case it was written; and the warning on tasks with egress.
  test('the warning names each service the tasks call by its endpoint or its prefix, sorted, and can be acknowledged; tasks with egress get none', () => {
    const warned = (vpc: (stack: Stack) => ec2.IVpc) => {
      const stack = newStack(ENV);
      const web = new PrivateFargateBehindAlb(stack, 'Web', { vpc: vpc(stack), vpcEndpoints: false });
      web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['sqs:SendMessage', 'Comprehend:DetectSentiment', 'kms:Decrypt', 'route53:ChangeResourceRecordSets', 'dynamodb:GetItem', 'bedrock:InvokeModel'],
        resources: ['*'],
      }));
      return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('have no route to the internet')).map((w) => w.entry.data);
    };

    expect(warned((stack) => importedVpc(stack))).toEqual([expect.stringMatching(new RegExp(
      'they need an endpoint for each of bedrock-runtime, comprehend, dynamodb, ecr\\.api, ecr\\.dkr, logs, route53, s3, sqs\\. .*' +
      ' \\[ack: private-fargate-behind-alb:vpcEndpointsOfTheVpc\\]$'))]);
    expect(warned((stack) => importedVpc(stack, NAT_VPC))).toEqual([]);
  });

  test('ECS Exec with a cluster key adds the SSM Messages and KMS endpoints', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, executeCommandConfiguration: { kmsKey: new kms.Key(stack, 'Key') } });

    new PrivateFargateBehindAlb(stack, 'Web', { cluster, enableExecuteCommand: true });

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.kms', '.logs', '.s3', '.ssmmessages']);
  });

  test('ECS Exec adds the SSM Messages endpoint also when endpointsForGrantedServices is false', () => {
    const template = synth({ enableExecuteCommand: true, endpointsForGrantedServices: false });

    expect(endpointServices(template)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.ssmmessages']);
  });

  test('a bucket of another stack granted to tasks whose VPC endpoints live elsewhere is refused', () => {
    const app = new App();
    const network = new Stack(app, 'Network');
    const web = new PrivateFargateBehindAlb(network, 'Web');
    const other = new Stack(app, 'Other');
    const api = new PrivateFargateBehindAlb(other, 'Api', { vpc: web.vpc, port: 8080 });

    new s3.Bucket(other, 'Data').grantRead(api.taskDefinition.taskRole);

    expect(() => app.synth()).toThrow(
      /\[Other\/Api\] the task roles are granted S3 buckets, which the S3 endpoint of the VPC \(in the stack Network\) must allow, .* Grant buckets imported by a literal name \(Bucket.fromBucketName\), or put this service in the stack of its VPC$/,
    );
  });

  test('a bucket imported by name is granted to tasks whose VPC endpoints live in another stack', () => {
    const app = new App();
    const network = new Stack(app, 'Network');
    const web = new PrivateFargateBehindAlb(network, 'Web');
    const other = new Stack(app, 'Other');
    const api = new PrivateFargateBehindAlb(other, 'Api', { vpc: web.vpc, port: 8080 });
    s3.Bucket.fromBucketName(other, 'Data', 'my-data').grantRead(api.taskDefinition.taskRole);

    Template.fromStack(network).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Resource: Match.arrayWith([Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':s3:::my-data'])] })]) })]) },
    });
  });

  test('a bucket named by a parameter of the stack of tasks whose VPC endpoints live in another stack is refused', () => {
    const app = new App();
    const network = new Stack(app, 'Network');
    const web = new PrivateFargateBehindAlb(network, 'Web');
    const third = new Stack(app, 'Third');
    const worker = new PrivateFargateBehindAlb(third, 'Worker', { vpc: web.vpc, port: 9090 });
    s3.Bucket.fromBucketName(third, 'Named', new CfnParameter(third, 'BucketName').valueAsString).grantRead(worker.taskDefinition.taskRole);

    expect(() => app.synth()).toThrow(/\[Third\/Worker\] the task roles are granted S3 buckets/);
  });
});

describe('5. images the tasks cannot pull', () => {
  test.each([
    ['Docker Hub', 'nginx', 'a public registry'],
    ['ECR Public', 'public.ecr.aws/nginx/nginx:1.27', 'a public registry'],
    ['GitHub', 'ghcr.io/example/app:1', 'a public registry'],
    ['ECR of another region', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1', 'ECR of another region (eu-west-1)'],
    ['a registry that proxies ECR', 'mirror.example.com/123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1', 'a public registry'],
  ])('an image from %s in subnets without egress is refused, naming it and the ways out', (_, image, where) => {
    expect(() => synth({ image: ecs.ContainerImage.fromRegistry(image) }, ENV)).toThrow(
      `[TestStack/Web] image must be pullable without internet access; received "${image}" for the container web, from ${where}, ` +
      'and the task subnets have no route to the internet. Use an image asset (ContainerImage.fromAsset), a private ECR repository of this ' +
      'region (copy public images there at deploy time, for example with cdk-ecr-deployment), or taskSubnets with egress (a NAT gateway)',
    );
  });

  test('a sidecar\'s public image is refused too', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    web.taskDefinition.addContainer('proxy', { image: ecs.ContainerImage.fromRegistry('envoyproxy/envoy:v1.30') });

    expect(() => Template.fromStack(stack)).toThrow(/received "envoyproxy\/envoy:v1.30" for the container proxy/);
  });

  test('private ECR of the stack\'s region, an ECR repository and public images on subnets with egress are accepted, and run as given', () => {
    const image = (template: Template) => Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0].Image;
    expect(image(synth({ image: ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1') }, ENV)))
      .toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1');

    const stack = newStack(ENV);
    new PrivateFargateBehindAlb(stack, 'Web', { image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'app')) });
    const template = Template.fromStack(stack);
    expect(JSON.stringify(image(template))).toContain('.dkr.ecr.us-east-1.');
    expect(JSON.stringify(image(template))).toContain('/app:latest');
    // The execution role may pull from that repository, through the ECR endpoints.
    const pull = executionRoleStatements(template).find((statement: any) => statement.Action.includes?.('ecr:BatchGetImage'));
    expect(JSON.stringify(pull.Resource)).toMatch(/:repository\/app"\]\]\}$/);
    expect(endpointServices(template)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);

    const natStack = newStack(ENV);
    new PrivateFargateBehindAlb(natStack, 'Web', { vpc: importedVpc(natStack, NAT_VPC), image: ecs.ContainerImage.fromRegistry('nginx') });
    expect(image(Template.fromStack(natStack))).toBe('nginx');
  });

  test('a public image mirrored into a private repository at deploy time runs from that repository, the service ordered after the copy', () => {
    const stack = newStack(ENV);
    const repository = new ecr.Repository(stack, 'Nginx');
    const mirror = new ECRDeployment(stack, 'MirrorNginx', {
      src: new DockerImageName('docker.io/library/nginx:1.27'),
      dest: new DockerImageName(repository.repositoryUriForTag('1.27')),
    });

    const web = new PrivateFargateBehindAlb(stack, 'Web', { image: ecs.ContainerImage.fromEcrRepository(repository, '1.27') });
    web.service.node.addDependency(mirror);

    const template = Template.fromStack(stack);
    const [copyId] = Object.keys(template.findResources('Custom::CDKECRDeployment', {}))
      .concat(Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
        .filter(([, resource]) => /ECRDeployment/i.test(resource.Type)).map(([id]) => id));
    expect(copyId).toBeDefined();
    const [service] = Object.values(template.findResources('AWS::ECS::Service'));
    expect(service.DependsOn).toContain(copyId);
    // What the service runs: the copy in the repository of this stack, which the execution role may pull; nothing is refused.
    const [repositoryId] = Object.keys(template.findResources('AWS::ECR::Repository'));
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Image: { 'Fn::Join': ['', Match.arrayWith([{ Ref: repositoryId }, ':1.27'])] },
      })],
    });
    expect(executionRoleStatements(template)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: expect.arrayContaining(['ecr:BatchGetImage']), Resource: { 'Fn::GetAtt': [repositoryId, 'Arn'] } }),
    ]));
  });
});

describe('6. deploy order', () => {
  test('the service depends on every endpoint its tasks need, also one added at synth', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    web.container.addSecret('DB_PASSWORD', ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'Password', 'prod/db')));

    const template = Template.fromStack(stack);
    const [service] = Object.values(template.findResources('AWS::ECS::Service'));
    const endpoints = Object.keys(template.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints.filter((id) => /Secretsmanager/.test(id))).toHaveLength(1);
    for (const id of endpoints) {
      expect(service.DependsOn).toContain(id);
    }
    // Not on the endpoints' security group, which every interface endpoint refers to: the template writes no dependency twice.
    const groups = Object.keys(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('VPC interface endpoints') } }));
    expect(groups).toHaveLength(1);
    expect(service.DependsOn).not.toContain(groups[0]);
  });
});

describe('8. deterministic templates', () => {
  test('environment and secrets in any key order give the same template', () => {
    const build = (order: string[]) => {
      const stack = newStack();
      const secret = (id: string) => ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, id, `prod/${id}`));
      new PrivateFargateBehindAlb(stack, 'Web', {
        environment: Object.fromEntries(order.map((key) => [key, key.toLowerCase()])),
        secrets: Object.fromEntries(order.map((key) => [`S_${key}`, secret(key)])),
      });
      return Template.fromStack(stack).toJSON();
    };

    expect(build(['ZULU', 'ALPHA', 'MIKE'])).toEqual(build(['ALPHA', 'MIKE', 'ZULU']));
  });
});

describe('10. one VPC, whatever object holds it', () => {
  test('a shared load balancer and a VPC imported separately with the same id are one VPC', () => {
    const stack = newStack(ENV);
    new FargateVpcEndpoints(stack, 'Endpoints', { vpc: importedVpc(stack) });
    const web = new PrivateFargateBehindAlb(stack, 'Web', { vpc: ec2.Vpc.fromVpcAttributes(stack, 'ForWeb', ISOLATED_VPC) });
    const again = ec2.Vpc.fromVpcAttributes(stack, 'Again', ISOLATED_VPC);

    const api = new PrivateFargateBehindAlb(stack, 'Api', { vpc: again, loadBalancer: web.loadBalancer, port: 8080 });

    expect(api.loadBalancer).toBe(web.loadBalancer);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPCEndpoint', 4);
  });
});

describe('12. access logs do not grow forever', () => {
  test('the access-log bucket expires logs after 90 days by default, and deletes their noncurrent copies a day later, not 90', () => {
    synth({}, ENV).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [{ Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] },
    });
  });

  test('accessLogsExpiration sets it, a service that gives none takes it, and two services of one stack that disagree are refused', () => {
    const withWeb = () => {
      const stack = newStack(ENV);
      return { stack, web: new PrivateFargateBehindAlb(stack, 'Web', { accessLogsExpiration: Duration.days(30) }) };
    };
    const refused = withWeb();
    expect(refusalsOf(new PrivateFargateBehindAlb(refused.stack, 'Api', { vpc: refused.web.vpc, port: 8080, accessLogsExpiration: Duration.days(60) }))).toEqual([
      '[TestStack/Api] accessLogsExpiration must be the same for every service of a stack, which share one access-log bucket; received 60 days where another service of the stack set 30 days. ' +
        'Give the same accessLogsExpiration (30 days), or leave it out on this service: it then keeps the bucket\'s',
    ]);
    // A service that gives no expiration takes the bucket's, and logs to it.
    const { stack, web } = withWeb();
    new PrivateFargateBehindAlb(stack, 'Admin', { vpc: web.vpc, port: 8081 });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 1 } })] },
    });
    const [bucketId] = Object.keys(template.findResources('AWS::S3::Bucket'));
    const loadBalancers = Object.entries(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    expect(loadBalancers.map(([id]) => id.replace(/LoadBalancer.*/, ''))).toEqual(['Web', 'Admin']);
    for (const [, loadBalancer] of loadBalancers) {
      expect(loadBalancer.Properties.LoadBalancerAttributes).toContainEqual({ Key: 'access_logs.s3.bucket', Value: { Ref: bucketId } });
    }
  });
});
