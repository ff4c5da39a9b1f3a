"""The Python consumers' stack: PrivateFargateBehindAlb with port 8080 and 2 to 5 tasks."""
from aws_cdk import App, Stack
from private_fargate_behind_alb import PrivateFargateBehindAlb


def build_stack(**props) -> Stack:
    app = App()
    stack = Stack(app, "Consumer")
    PrivateFargateBehindAlb(stack, "Web", **props)
    return stack


def consumer_stack() -> Stack:
    return build_stack(port=8080, min_capacity=2, max_capacity=5)
