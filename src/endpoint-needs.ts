import {
  AspectPriority, Aspects, DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Stack, StringConcat, Token, Tokenization,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { FargateVpcEndpoints } from './fargate-vpc-endpoints';
import { inAppLanguage, isRefused, warn } from './validation';
import { allowHttpsToGateway, prefixListsAreKnown } from './vpc';

/*
 * Which endpoints the tasks need is known only when the app synthesizes: secrets, sidecars, environment
 * files and grants are added after the constructor. An aspect of the construct reads what the app's
 * policies grant the task's roles and what its containers use, and completes the VPC's endpoints.
 */

/**
 * The statements the app's policies grant a role, however they are attached: its inline policies, the
 * IAM policies and managed policies that name it (`roles`, `attachToRole`), and the managed policies of
 * the app it lists (`addManagedPolicy`). A statement granted with `addToPrincipalPolicy` is in the
 * role's default policy, which names it. Managed policies made outside the app cannot be read.
 */
function grantedStatements(role: iam.IRole, policies: AppPolicy[]): iam.PolicyStatement[] {
  // Stryker disable next-line ArrayDeclaration: a string among the documents has no Statement, so it grants nothing.
  const documents: unknown[] = [];
  const cfnRole = role.node.defaultChild;
  if (cfnRole instanceof iam.CfnRole && Array.isArray(cfnRole.policies)) {
    documents.push(...cfnRole.policies.map((policy) => (policy as iam.CfnRole.PolicyProperty).policyDocument));
  }
  // The managed policies a role made in the app lists by ARN. (Resolving an L2 ManagedPolicy's ARN meets its resource's Ref.)
  const listed = resolution(role, cfnRole instanceof iam.CfnRole ? cfnRole.managedPolicyArns : undefined);
  const roleName = referenceTo(role.roleName);
  for (const { policy, roles, ref } of policies) {
    if (refersTo(roles, roleName) || refersTo(listed, ref)) documents.push(policy.policyDocument);
  }
  // A document the app writes as JSON is read as well, with one statement or a list; one that is a token is not.
  return documents.flatMap((document) => {
    // An empty PolicyDocument renders as nothing (an iam.Policy without statements is left out of the template).
    const json = document instanceof iam.PolicyDocument ? document.toJSON() : document as any;
    const statements: unknown[] = [json?.Statement ?? []].flat();
    return statements.map((statement) => iam.PolicyStatement.fromJson(statement));
  });
}

/** A value resolved in the stack of a construct, and the tokens met on the way: the references it holds. */
interface Resolution {
  readonly value: unknown;
  readonly tokens: Set<IResolvable>;
}

function resolution(scope: IConstruct, value: unknown): Resolution {
  const tokens = new Set<IResolvable>();
  const resolver = new class extends DefaultTokenResolver {
    public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
      tokens.add(token);
      return super.resolveToken(token, context, postProcessor);
    }
  }(new StringConcat());
  return { value: Tokenization.resolve(value, { scope, resolver }), tokens };
}

/**
 * Whether a resolved value refers to `name`: holds its token (a reference to that very resource: another stack may
 * have a resource of the same logical id), or, for a name that is no token, holds it.
 */
function refersTo(resolved: Resolution, name: Reference): boolean {
  return name.token ? resolved.tokens.has(name.token) : JSON.stringify(resolved.value ?? null).includes(JSON.stringify(name.name));
}

/** A name, and the token it stands for when it is one. */
interface Reference {
  readonly name: string;
  readonly token?: IResolvable;
}

function referenceTo(name: string): Reference {
  return { name, token: Tokenization.reverse(name) };
}

/** An IAM policy or managed policy of the app, with the roles it names resolved, and its own reference. */
interface AppPolicy {
  readonly policy: iam.CfnPolicy | iam.CfnManagedPolicy;
  readonly roles: Resolution;
  readonly ref: Reference;
}

/**
 * The IAM policies and managed policies of the app, whose documents may grant the roles of a task:
 * read once for all the services on a set of endpoints (none of them adds a policy while completing).
 */
function policiesOf(scope: IConstruct): AppPolicy[] {
  return scope.node.root.node.findAll()
    .filter((node): node is iam.CfnPolicy | iam.CfnManagedPolicy => node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy)
    .map((policy) => ({ policy, roles: resolution(policy, policy.roles), ref: referenceTo(policy.ref) }));
}

type EndpointService = ec2.GatewayVpcEndpointAwsService | ec2.InterfaceVpcEndpointAwsService;

/**
 * How the tasks reach the AWS service of an IAM action: a gateway or an interface endpoint, `null` when
 * the tasks never call that service over the network themselves (`kms`: S3, Secrets Manager and SQS call
 * KMS on their behalf; `iam:PassRole` is no call; `rds-db` and `elasticfilesystem` grants are used by the
 * database and the file system), or a reason why no endpoint can serve it.
 */
type Route = EndpointService | null | { readonly noEndpoint: string };

/** The endpoint of each IAM service prefix whose endpoint does not depend on the action. */
const ENDPOINTS: Record<string, Route> = {
  's3': ec2.GatewayVpcEndpointAwsService.S3,
  'dynamodb': ec2.GatewayVpcEndpointAwsService.DYNAMODB,
  'ecr': ec2.InterfaceVpcEndpointAwsService.ECR,
  'logs': ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  'secretsmanager': ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  'ssm': ec2.InterfaceVpcEndpointAwsService.SSM,
  'ssmmessages': ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  'sqs': ec2.InterfaceVpcEndpointAwsService.SQS,
  'sns': ec2.InterfaceVpcEndpointAwsService.SNS,
  'states': ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
  'lambda': ec2.InterfaceVpcEndpointAwsService.LAMBDA,
  'events': ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  'kinesis': ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
  'firehose': ec2.InterfaceVpcEndpointAwsService.KINESIS_FIREHOSE,
  'cloudwatch': ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  'xray': ec2.InterfaceVpcEndpointAwsService.XRAY,
  'sts': ec2.InterfaceVpcEndpointAwsService.STS,
  'kms': null,
  'rds-db': null,
  'elasticfilesystem': null,
  'route53': { noEndpoint: 'Route 53 has no VPC endpoint for its API' },
};

/** The endpoint that serves one action, for the services whose endpoint depends on the action. */
function routeOf(action: string, region: string): Route | undefined {
  // Stryker disable next-line StringLiteral: every action but "*" (answered first) has a name after its colon
  const [prefix, name = ''] = action.toLowerCase().split(':');
  if (prefix === '*') return { noEndpoint: 'A grant of every action ("*") names no service to make an endpoint for: grant the actions the tasks call' };
  if (prefix === 'bedrock') {
    // Bedrock has an endpoint per API (Bedrock guide, "VPC interface endpoints"). No Bedrock action holds the name of
    // a runtime API but at its start: the anchors of the first two tell nothing apart.
    // Stryker disable next-line Regex: no Bedrock action holds these names but at its start.
    if (/^(invokemodel|converse|applyguardrail|counttokens|startasyncinvoke|getasyncinvoke|listasyncinvokes)/.test(name)) {
      return ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME;
    }
    // Stryker disable next-line Regex: no Bedrock action holds these names but at its start.
    if (/^(invokeagent|invokeinlineagent|invokeflow|retrieve|rerank)/.test(name)) return ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENT_RUNTIME;
    if (/agent|knowledgebase|datasource|flow|ingestion/.test(name)) return ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENT;
    return name.startsWith('*') ? ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME : ec2.InterfaceVpcEndpointAwsService.BEDROCK;
  }
  if (prefix === 'sagemaker') {
    return name.startsWith('invokeendpoint') ? ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME : ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API;
  }
  if (prefix === 'iam') {
    if (name === 'passrole') return null;
    // IAM's endpoint (com.amazonaws.iam) is in us-east-1 only.
    return region === 'us-east-1' ? ec2.InterfaceVpcEndpointAwsService.IAM : { noEndpoint: 'IAM has a VPC endpoint in us-east-1 only' };
  }
  return ENDPOINTS[prefix];
}

/** What one service's tasks call, read from its roles and containers when the app synthesizes. */
interface EndpointNeeds {
  /** IAM actions the task definition itself needs (execution role, ECS Exec). */
  readonly ofTaskDefinition: Set<string>;
  /** IAM actions granted to the task role. */
  readonly ofTaskRole: Set<string>;
  /** Allow statements on S3 of either role, for the S3 gateway endpoint's policy. */
  readonly s3Statements: iam.PolicyStatement[];
}

/** Reads the needs of a task definition from what the app's policies grant its roles. */
function endpointNeedsOf(taskDefinition: ecs.TaskDefinition, executeCommand: boolean, policies: AppPolicy[]): EndpointNeeds {
  const executionStatements = grantedStatements(taskDefinition.obtainExecutionRole(), policies);
  const taskStatements = grantedStatements(taskDefinition.taskRole, policies);
  const ofTaskDefinition = actionsOf(executionStatements);
  if (executeCommand) ofTaskDefinition.add('ssmmessages:*');
  const ofTaskRole = actionsOf(taskStatements);
  // IAM reads an action's service in any case: S3:GetObject is s3:GetObject.
  const onS3 = (action: string) => action.toLowerCase().startsWith('s3:');
  const s3Statements = [...executionStatements, ...taskStatements]
    .filter((statement) => statement.effect === iam.Effect.ALLOW && statement.actions.some(onS3))
    .map((statement) => new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: statement.actions.filter(onS3),
      resources: statement.resources,
    }));
  return { ofTaskDefinition, ofTaskRole, s3Statements };
}

/** A service the tasks call but cannot reach, and the way to reach it. */
interface Unreached {
  /** The service, as its endpoint or its IAM prefix names it. */
  readonly service: string;
  /** Why no endpoint can serve it, when none can. */
  readonly noEndpoint?: string;
}

/**
 * Adds to `endpoints` what `needs` calls for: gateways, the S3 policy statements and interface
 * endpoints (for the task role's grants only when `forTaskRole`). Returns what the tasks call that
 * still has no endpoint.
 */
function completeEndpoints(endpoints: FargateVpcEndpoints, needs: EndpointNeeds, forTaskRole: boolean): Unreached[] {
  const unreached = new Map<string, Unreached>();
  const region = Stack.of(endpoints).region;
  const add = (action: string, interfaces: boolean) => {
    const route = routeOf(action, region);
    const prefix = action.split(':')[0].toLowerCase();
    if (route === null) return;
    if (route instanceof ec2.GatewayVpcEndpointAwsService) {
      endpoints.addGatewayEndpoint(route);
    } else if (route instanceof ec2.InterfaceVpcEndpointAwsService) {
      if (interfaces) endpoints.addInterfaceEndpoint(route);
      else if (!endpoints.hasEndpoint(route.shortName)) unreached.set(route.shortName, { service: route.shortName });
    } else if (route !== undefined) {
      unreached.set(prefix, { service: prefix, noEndpoint: route.noEndpoint });
    } else if (!endpoints.hasEndpoint(prefix)) {
      // A service this library does not know: one the app added the endpoint for (named like the prefix) is reached.
      unreached.set(prefix, { service: prefix });
    }
  };
  for (const action of needs.ofTaskDefinition) add(action, true);
  for (const action of needs.ofTaskRole) add(action, forTaskRole);
  if (endpoints.restrictToTasks) {
    for (const statement of needs.s3Statements) endpoints.s3Endpoint.addToPolicy(statement);
  }
  return [...unreached.values()].sort((a, b) => a.service.localeCompare(b.service));
}

/** The message for services the tasks are granted but cannot reach, with the way out for each. */
function unreachedMessage(unreached: Unreached[], forTaskRole: boolean): string {
  const withoutEndpoint = unreached.filter((u) => u.noEndpoint !== undefined);
  const addable = unreached.filter((u) => u.noEndpoint === undefined);
  const names = unreached.map((u) => u.service).join(', ');
  let message = `the task role is granted ${names}, which the tasks cannot reach: their subnets have no route to the internet. `;
  if (addable.length > 0) {
    message += `The VPC has no endpoint for ${addable.map((u) => u.service).join(', ')}: ` +
      (forTaskRole ? '' : 'set endpointsForGrantedServices to true, or ') +
      `add ${addable.length === 1 ? 'it' : 'each'} with FargateVpcEndpoints.of(vpc).addInterfaceEndpoint(...) ` +
      `(the endpoint service named ${addable.map((u) => `com.amazonaws.REGION.${u.service}`).join(', ')}). `;
  }
  for (const u of withoutEndpoint) message += `${u.noEndpoint}. `;
  return message + 'Or give taskSubnets with egress (a NAT gateway)';
}

/** The endpoints (or, for a service with none, its IAM prefix) of everything the tasks call, sorted. */
function neededServices(needs: EndpointNeeds, region: string): string[] {
  const names = new Set(['ecr.api', 'ecr.dkr', 'logs', 's3']);
  for (const action of [...needs.ofTaskDefinition, ...needs.ofTaskRole]) {
    const route = routeOf(action, region);
    if (route === null) continue;
    // A gateway endpoint (s3, dynamodb) is named like the IAM prefix of its service.
    names.add(route instanceof ec2.InterfaceVpcEndpointAwsService ? route.shortName : action.split(':')[0].toLowerCase());
  }
  return [...names].sort();
}

/** Whether any S3 statement names a resource of a stack (not a literal name or a pseudo parameter). */
function namesStackResources(stack: Stack, statements: iam.PolicyStatement[]): boolean {
  const rendered = JSON.stringify(stack.resolve(statements.flatMap((statement) => statement.resources)));
  return /"(Fn::GetAtt|Fn::ImportValue)"|"Ref":"(?!AWS::)/.test(rendered);
}

/** The actions the statements allow, without the tokens. */
function actionsOf(statements: iam.PolicyStatement[]): Set<string> {
  const actions = new Set<string>();
  for (const statement of statements) {
    if (statement.effect !== iam.Effect.ALLOW) continue;
    for (const action of statement.actions) {
      if (!Token.isUnresolved(action)) actions.add(action);
    }
  }
  return actions;
}

/** Statements to read the environment files of every container. */
function environmentFilesOf(taskDefinition: ecs.TaskDefinition): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const partition = Stack.of(taskDefinition).partition;
  for (const child of taskDefinition.node.children) {
    // Stryker disable next-line ConditionalExpression: the other children have no environment files either.
    if (!(child instanceof ecs.ContainerDefinition)) continue;
    for (const file of child.environmentFiles ?? []) {
      const { bucketName, objectKey } = file.s3Location;
      statements.push(new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [`arn:${partition}:s3:::${bucketName}/${objectKey}`],
      }));
      statements.push(new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: [`arn:${partition}:s3:::${bucketName}`],
      }));
    }
  }
  return statements;
}

/**
 * Lets the execution role read the containers' environment files: ECS reads them with it when a task
 * starts, and aws-cdk-lib grants nothing for them. Call before `endpointNeedsOf`, which then sees them.
 */
function grantEnvironmentFiles(taskDefinition: ecs.TaskDefinition): void {
  for (const statement of environmentFilesOf(taskDefinition)) taskDefinition.addToExecutionRolePolicy(statement);
}

/** What `completeEndpointsAtSynth` works on: one service's task, its tasks' group and the VPC's endpoints. */
export interface EndpointsAtSynthOptions {
  readonly taskDefinition: ecs.TaskDefinition;
  readonly cluster: ecs.ICluster;
  readonly tasksSecurityGroup: ec2.ISecurityGroup;
  /** The VPC's endpoints, or undefined where the construct manages none. */
  readonly endpoints?: FargateVpcEndpoints;
  /** Whether the task role's grants add interface endpoints (`endpointsForGrantedServices`). */
  readonly forTaskRole: boolean;
  readonly executeCommand: boolean;
  /** Whether the task subnets route to the internet: then any image can be pulled. */
  readonly tasksHaveEgress: boolean;
}

/**
 * When the app synthesizes, completes the VPC's endpoints from what the task definition ended up
 * using (secrets and sidecars added after the constructor, grants to the roles, environment files),
 * and refuses, through a validation of `scope`, what its tasks could still not reach or pull.
 */
export function completeEndpointsAtSynth(scope: Construct, options: EndpointsAtSynthOptions): void {
  const { taskDefinition, endpoints, executeCommand } = options;
  const errors: string[] = [];
  // A refused service reports its refusal alone: what it made before is moot.
  scope.node.addValidation({
    validate: () => isRefused(scope) ? [] : [...errors, ...(options.tasksHaveEgress ? [] : unpullableImages(taskDefinition))].map(inAppLanguage),
  });
  if (!endpoints) {
    atSynth(scope, () => {
      if (isRefused(scope)) return;
      grantEnvironmentFiles(taskDefinition);
      if (options.tasksHaveEgress) return;
      const services = neededServices(endpointNeedsOf(taskDefinition, executeCommand, policiesOf(scope)), Stack.of(scope).region);
      warn(scope, 'private-fargate-behind-alb:vpcEndpointsOfTheVpc',
        'the tasks have no route to the internet and use endpoints the VPC has already (endpointSecurityGroup, or vpcEndpoints false), which ' +
        `this app cannot see; they need an endpoint for each of ${services.join(', ')}. Check that the VPC has them, the interface ` +
        'endpoints with private DNS and admitting the tasks on 443');
    });
    return;
  }
  completersOf(endpoints).push({
    prepare: () => grantEnvironmentFiles(taskDefinition),
    complete: (policies) => errors.push(...completeFor(scope, endpoints, options, policies)),
    refused: () => isRefused(scope),
  });
}

/** One service's part of the completion of a set of endpoints. */
interface Completer {
  /** Adds what the service grants at synth, before the app's policies are read. */
  readonly prepare: () => void;
  /** Completes the endpoints for the service from the app's policies. */
  readonly complete: (policies: AppPolicy[]) => void;
  /** Whether a refusal stopped the making of the service. */
  readonly refused: () => boolean;
}

const completers = new WeakMap<FargateVpcEndpoints, Completer[]>();

/**
 * The services that complete a set of endpoints, run by one aspect of the set itself. It visits the
 * set before the set's children, so any aspect of the app, stabilized or not, then visits the
 * endpoints it adds (tags, checks); an aspect on each service would see the endpoints of a VPC made
 * before the service too late without stabilized aspects, and would be called on every construct of
 * every service. The app's policies are read once for all of them.
 */
function completersOf(endpoints: FargateVpcEndpoints): Completer[] {
  const existing = completers.get(endpoints);
  if (existing) return existing;
  const services: Completer[] = [];
  completers.set(endpoints, services);
  atSynth(endpoints, () => {
    const made = services.filter((service) => !service.refused());
    for (const service of made) service.prepare();
    const policies = policiesOf(endpoints);
    for (const service of made) service.complete(policies);
  });
  return services;
}

/** Runs `work` once, when the app's aspects visit `host`. */
function atSynth(host: Construct, work: () => void): void {
  // MUTATING says this aspect adds resources, as aws-cdk-lib asks. At any priority, the app's aspects (tags, or the user's of
  // any priority, with stabilized aspects or without) see the endpoints it adds: no template tells the priorities apart.
  // Stryker disable next-line ObjectLiteral: no template tells the priorities apart (see above).
  const mutating = { priority: AspectPriority.MUTATING };
  Aspects.of(host).add({
    visit: (node: IConstruct) => {
      if (node === host) work();
    },
  }, mutating);
}

/** Completes `endpoints` for one service; returns what its validation refuses. */
function completeFor(scope: Construct, endpoints: FargateVpcEndpoints, options: EndpointsAtSynthOptions, policies: AppPolicy[]): string[] {
  const { taskDefinition, forTaskRole, executeCommand } = options;
  const needs = endpointNeedsOf(taskDefinition, executeCommand, policies);
  if (executeCommand && options.cluster.executeCommandConfiguration?.kmsKey) {
    // The ECS Exec agent in the task encrypts the session with the cluster's key itself.
    endpoints.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.KMS);
  }
  if (endpoints.restrictToTasks && Stack.of(endpoints) !== Stack.of(scope) && namesStackResources(Stack.of(scope), needs.s3Statements)) {
    return [
      `the task roles are granted S3 buckets, which the S3 endpoint of the VPC (in the stack ${Stack.of(endpoints).stackName}) must allow, ` +
      'and its policy cannot name resources of this stack without a reference cycle. Grant buckets imported by a literal name ' +
      '(Bucket.fromBucketName), or put this service in the stack of its VPC',
    ];
  }
  const unreached = completeEndpoints(endpoints, needs, forTaskRole);
  if ([...needs.ofTaskRole].some((action) => action.toLowerCase().startsWith('dynamodb:')) && prefixListsAreKnown(scope)) {
    allowHttpsToGateway(scope, options.tasksSecurityGroup, 'dynamodb');
  }
  return unreached.length > 0 ? [unreachedMessage(unreached, forTaskRole)] : [];
}

/**
 * The images of the task definition's containers that tasks without internet access cannot pull:
 * anything but private ECR of the stack's region. Images from assets and ECR repositories are tokens
 * and pass.
 */
function unpullableImages(taskDefinition: ecs.TaskDefinition): string[] {
  // ECR in the stack's region is reachable through the VPC endpoints; anything else needs the internet.
  const privateEcr = /^\d{12}\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//;
  const region = Stack.of(taskDefinition).region;
  const refused: string[] = [];
  for (const child of taskDefinition.node.children) {
    if (!(child instanceof ecs.ContainerDefinition) || Token.isUnresolved(child.imageName)) continue;
    const ecr = privateEcr.exec(child.imageName);
    if (ecr && (Token.isUnresolved(region) || ecr[2] === region)) continue;
    const where = ecr ? `ECR of another region (${ecr[2]})` : 'a public registry';
    refused.push(
      `image must be pullable without internet access; received "${child.imageName}" for the container ${child.containerName}, from ${where}, ` +
      'and the task subnets have no route to the internet. Use an image asset (ContainerImage.fromAsset), a private ECR repository of this ' +
      'region (copy public images there at deploy time, for example with cdk-ecr-deployment), or taskSubnets with egress (a NAT gateway)',
    );
  }
  return refused;
}
