"""The Python consumers' stacks: PrivateFargateBehindAlb with port 8080 and 2 to 5 tasks, and ARM64
with Spot and the container options."""
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_ecs as ecs
from private_fargate_behind_alb import PrivateFargateBehindAlb


def build_stack(**props) -> Stack:
    app = App()
    stack = Stack(app, "Consumer")
    PrivateFargateBehindAlb(stack, "Web", **props)
    return stack


def consumer_stack() -> Stack:
    return build_stack(port=8080, min_capacity=2, max_capacity=5)


def arm64_spot_stack() -> Stack:
    return build_stack(
        cpu_architecture=ecs.CpuArchitecture.ARM64,
        capacity_provider_strategies=[
            ecs.CapacityProviderStrategy(capacity_provider="FARGATE", base=1, weight=0),
            ecs.CapacityProviderStrategy(capacity_provider="FARGATE_SPOT", weight=1),
        ],
        entry_point=["/docker-entrypoint.sh"],
        command=["nginx", "-g", "daemon off;"],
        container_health_check=ecs.HealthCheck(
            command=["CMD-SHELL", "wget -q -O /dev/null http://localhost:$PORT/ || exit 1"],
            interval=Duration.seconds(15),
            start_period=Duration.seconds(10),
        ),
        ephemeral_storage_gib=30,
        readonly_root_filesystem=True,
        target_requests_per_target=500,
        target_memory_utilization_percent=75,
    )
