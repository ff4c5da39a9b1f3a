export * from './private-fargate-behind-alb';
export * from './fargate-vpc-endpoints';
export * from './deployment';
