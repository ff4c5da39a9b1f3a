"""What the TypeScript tests prove, proved again through the Python package; its last tests compare
the templates of the four languages (TypeScript, Python, Java, Go)."""
import json
import os
import re
import traceback
from pathlib import Path

import pytest
from aws_cdk import Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk.assertions import Match, Template

from consumer_app import arm64_spot_stack, build_stack, consumer_stack

OUT = Path(os.environ.get("CONSUMERS_OUT", "test/consumers/out"))


@pytest.fixture(scope="module")
def template() -> Template:
    stack = consumer_stack()
    template = Template.from_stack(stack)
    (OUT / "python.template.json").write_text(json.dumps(template.to_json(), indent=2))
    return template


@pytest.fixture(scope="module")
def arm64_spot_template() -> Template:
    template = Template.from_stack(arm64_spot_stack())
    (OUT / "python.arm64-spot.template.json").write_text(json.dumps(template.to_json(), indent=2))
    return template


def port_places(template: Template) -> list:
    """Every port-valued property of the template but the HTTPS rules of the VPC endpoints."""
    places = []

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if value.get("Name") == "PORT":
                places.append(value["Value"])
            if "FromPort" in value and value.get("IpProtocol") == "tcp":
                places.append(value["FromPort"])
            for key, child in value.items():
                if key in ("Port", "ContainerPort", "HostPort") and not isinstance(child, (dict, list)):
                    places.append(child)
                elif key not in ("FromPort", "ToPort"):
                    walk(child)

    for resource in template.to_json()["Resources"].values():
        walk(resource.get("Properties", {}))
    return [place for place in places if str(place) != "443"]


def test_port_8080_is_in_every_port_place_and_80_in_none(template):
    places = port_places(template)
    assert len(places) == 10
    assert {str(place) for place in places} == {"8080"}


def test_the_target_group_is_of_type_ip(template):
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup", {"TargetType": "ip", "Port": 8080, "Protocol": "HTTP"}
    )


def test_the_four_endpoints_are_there(template):
    endpoints = template.find_resources("AWS::EC2::VPCEndpoint")
    services = sorted(e["Properties"]["ServiceName"]["Fn::Join"][1][2] for e in endpoints.values())
    assert services == [".ecr.api", ".ecr.dkr", ".logs", ".s3"]


def test_the_scaling_bounds_are_2_to_5_and_the_service_sets_no_desired_count(template):
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 2, "MaxCapacity": 5}
    )
    template.has_resource_properties("AWS::ECS::Service", {"DesiredCount": Match.absent()})


def test_the_tasks_get_no_public_ip(template):
    template.has_resource_properties(
        "AWS::ECS::Service",
        {"NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})}},
    )


def test_arm64_spot_and_the_container_options_reach_the_template(arm64_spot_template):
    arm64_spot_template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
            "EphemeralStorage": {"SizeInGiB": 30},
            "ContainerDefinitions": [Match.object_like({"ReadonlyRootFilesystem": True, "Command": ["nginx", "-g", "daemon off;"]})],
        },
    )
    arm64_spot_template.has_resource_properties(
        "AWS::ECS::Service",
        {"CapacityProviderStrategy": [
            {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 0},
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
        ]},
    )


def refusal_of(stack: Stack) -> str:
    """What the app's synthesis raises, as `cdk synth` shows it: the message and every traceback, chained ones included."""
    with pytest.raises(Exception) as refused:
        stack.node.root.synth()
    return "".join(traceback.format_exception(refused.value))


def test_a_weight_above_1000_is_refused_at_synth_naming_the_prop_as_python_writes_it():
    # Constructing raises nothing: the refusal is the app's synthesis's, as aws-cdk-lib's own validations are.
    stack = build_stack(capacity_provider_strategies=[ecs.CapacityProviderStrategy(capacity_provider="FARGATE_SPOT", weight=1001)])
    assert "[Consumer/Web] capacity_provider_strategies[0].weight must be an integer from 0 to 1000; received 1001" in refusal_of(stack)


def test_port_0_is_refused_at_synth_at_the_construct_path_with_no_frame_of_the_library():
    refusal = refusal_of(build_stack(port=0))
    assert "Validation failed with the following errors:\n  [Consumer/Web] port must be an integer from 1 to 65535; received 0" in refusal
    # The JavaScript stack jsii chains to the error shows the app's synth call, and no line of this library.
    assert "private-fargate-behind-alb" not in refusal
    assert "private_fargate_behind_alb" not in refusal


def test_typescript_python_java_and_go_synthesize_the_same_template(template):
    typescript = json.loads((OUT / "typescript.template.json").read_text())
    assert template.to_json() == typescript
    for language in ("java", "go"):
        assert json.loads((OUT / f"{language}.template.json").read_text()) == typescript, language


def test_arm64_spot_and_the_container_options_give_one_template_in_the_four_languages(arm64_spot_template):
    typescript = json.loads((OUT / "typescript.arm64-spot.template.json").read_text())
    assert arm64_spot_template.to_json() == typescript
    for language in ("java", "go"):
        assert json.loads((OUT / f"{language}.arm64-spot.template.json").read_text()) == typescript, language
