export * from './private-fargate-behind-alb';
export * from './fargate-vpc-endpoints';
export { Deployment } from './deployment';
export type { CanaryDeploymentOptions, LinearDeploymentOptions, BlueGreenDeploymentOptions } from './deployment';
export type { AlarmThresholds } from './alarms';
export { SmokeTest } from './smoke-test';
export type { SmokeTestRequest, SmokeTestOptions, HttpSmokeTestOptions } from './smoke-test';
export { DeploymentHook, PauseTimeoutAction } from './deployment-hook';
export type { LambdaDeploymentHookOptions, PauseDeploymentHookOptions } from './deployment-hook';
