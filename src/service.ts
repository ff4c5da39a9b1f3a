import { Aspects, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, IConstruct } from 'constructs';
import { Deployment, deploymentServiceOptions } from './deployment';
import { connectToEndpoints, Network, NetworkProps } from './network';
import { Task } from './task';
import { fail, validateIntegerInRange } from './validation';

/*
 * The ECS service: its cluster, the capacity its tasks run on, and the settings of its deployments.
 * Every setting the construct turns off is written explicitly, since ECS keeps a setting that
 * disappears from the template (aws-cdk PR #30217).
 */

/** What the service reads from the construct's props. */
export interface ServiceProps extends NetworkProps {
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];
  readonly healthCheckGracePeriod?: Duration;
  readonly enableExecuteCommand?: boolean;
  readonly deploymentAlarms?: boolean;
}

/**
 * The capacity of a service that names none: every task on FARGATE. A capacity provider strategy from
 * the start (not a launch type) makes adding Fargate Spot later an update in place: changing
 * `LaunchType` would replace the service.
 */
const ALL_ON_FARGATE: ecs.CapacityProviderStrategy[] = [{ capacityProvider: 'FARGATE', weight: 1 }];

/**
 * Validates the service props and builds the Fargate service in the task subnets, no public IP. Its
 * deployment alarms are the names in `alarmNames` when the app synthesizes (the deployment part makes
 * the alarms after the service); with `deploymentAlarms` false they are written as off.
 */
export function buildService(scope: Construct, props: ServiceProps, network: Network, task: Task, deployment: Deployment,
  alarmNames: string[]): ecs.FargateService {
  validateCapacityProviderStrategies(scope, props.capacityProviderStrategies);
  const cluster = props.cluster ?? defaultClusterFor(scope, network.vpc);
  // No desired count: a deployment must not reset the count autoscaling reached. CloudFormation
  // starts one task, and the scalable target's minimum raises it to minCapacity.
  const service = new ecs.FargateService(scope, 'Service', {
    cluster,
    taskDefinition: task.taskDefinition,
    assignPublicIp: false,
    vpcSubnets: network.taskSubnets,
    securityGroups: [network.tasksSecurityGroup],
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
    healthCheckGracePeriod: props.healthCheckGracePeriod ?? Duration.seconds(60),
    enableExecuteCommand: props.enableExecuteCommand ?? false,
    capacityProviderStrategies: props.capacityProviderStrategies ?? ALL_ON_FARGATE,
    ...deploymentServiceOptions(deployment),
    deploymentAlarms: (props.deploymentAlarms ?? true)
      ? { alarmNames: Lazy.list({ produce: () => alarmNames }), behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM }
      : undefined,
  });
  if (!(props.deploymentAlarms ?? true)) {
    // Written as off: ECS keeps alarms that disappear from the template.
    (service.node.defaultChild as ecs.CfnService).addPropertyOverride('DeploymentConfiguration.Alarms', { AlarmNames: [], Enable: false, Rollback: false });
  }
  useCapacityProviders(service, cluster);
  connectToEndpoints(scope, network, service, props);
  return service;
}

/** One cluster per stack and VPC, shared by the services that give no cluster (clusters cost nothing). */
function defaultClusterFor(scope: Construct, vpc: ec2.IVpc): ecs.ICluster {
  const stack = Stack.of(scope);
  const id = `PrivateFargateCluster${Names.uniqueId(vpc)}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof ecs.Cluster) return existing;
  return new ecs.Cluster(stack, id, { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
}

/**
 * Lets the service run on the Fargate capacity providers: a cluster made in this app gets FARGATE and
 * FARGATE_SPOT (an imported cluster must have the providers of the strategy), and the service is
 * created after the cluster's capacity provider association, without which ECS refuses the strategy.
 * The cluster's own aspect creates the association at synth, as a child of the cluster: an aspect on the
 * cluster orders the service resource alone after it (the rest already follows the cluster by reference).
 */
function useCapacityProviders(service: ecs.FargateService, cluster: ecs.ICluster): void {
  if (!(cluster instanceof ecs.Cluster)) return;
  cluster.enableFargateCapacityProviders();
  const resource = service.node.defaultChild as ecs.CfnService;
  Aspects.of(cluster).add({
    visit: (node: IConstruct) => {
      if (node instanceof ecs.CfnClusterCapacityProviderAssociations) resource.node.addDependency(node);
    },
  });
}

/** The limits of a capacity provider strategy (ECS API reference, CapacityProviderStrategyItem). */
function validateCapacityProviderStrategies(scope: IConstruct, strategies: ecs.CapacityProviderStrategy[] | undefined): void {
  if (!strategies) return;
  const prop = 'capacityProviderStrategies';
  strategies.forEach((strategy, i) => {
    const name = strategy.capacityProvider;
    if (!Token.isUnresolved(name) && name !== 'FARGATE' && name !== 'FARGATE_SPOT') {
      fail(scope, `${prop}[${i}].capacityProvider must be FARGATE or FARGATE_SPOT; received ${name}`);
    }
    validateIntegerInRange(scope, `${prop}[${i}].weight`, strategy.weight, 0, 1000);
    validateIntegerInRange(scope, `${prop}[${i}].base`, strategy.base, 0, 100000);
  });
  // One token named twice is one provider twice as well.
  const names = strategies.map((strategy) => strategy.capacityProvider);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) {
    fail(scope, `${prop} must name each capacity provider once; received ${Token.isUnresolved(repeated) ? 'one token' : repeated} twice. ` +
      'Give each capacity provider one entry, with its weight and base');
  }
  const withBase = strategies.filter((strategy) => Token.isUnresolved(strategy.base) || (strategy.base ?? 0) > 0);
  if (withBase.length > 1) {
    fail(scope, `${prop} may give a base to one capacity provider only; received bases on ${withBase.map((s) => s.capacityProvider).join(' and ')}. ` +
      'Give a base to one of them, and none to the others');
  }
  const weights = strategies.map((strategy) => strategy.weight ?? 0);
  if (!weights.some((weight) => Token.isUnresolved(weight) || weight > 0)) {
    fail(scope,
      `${prop} must give at least one capacity provider a weight above 0, or ECS places no task; received ` +
      (strategies.length === 0 ? 'an empty list' : `weights ${weights.join(', ')}`));
  }
}

