"""What the TypeScript tests prove, proved again through the Python package."""
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template

from consumer_app import build_stack, consumer_stack

OUT = Path(os.environ.get("CONSUMERS_OUT", "test/consumers/out"))


@pytest.fixture(scope="module")
def template() -> Template:
    stack = consumer_stack()
    template = Template.from_stack(stack)
    (OUT / "python.template.json").write_text(json.dumps(template.to_json(), indent=2))
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
    assert len(places) == 9
    assert {str(place) for place in places} == {"8080"}


def test_the_target_group_is_of_type_ip(template):
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup", {"TargetType": "ip", "Port": 8080, "Protocol": "HTTP"}
    )


def test_the_four_endpoints_are_there(template):
    endpoints = template.find_resources("AWS::EC2::VPCEndpoint")
    services = sorted(e["Properties"]["ServiceName"]["Fn::Join"][1][2] for e in endpoints.values())
    assert services == [".ecr.api", ".ecr.dkr", ".logs", ".s3"]


def test_the_scaling_bounds_are_2_to_5(template):
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 2, "MaxCapacity": 5}
    )
    template.has_resource_properties("AWS::ECS::Service", {"DesiredCount": 2})


def test_the_tasks_get_no_public_ip(template):
    template.has_resource_properties(
        "AWS::ECS::Service",
        {"NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})}},
    )


def test_port_0_raises_the_typescript_message():
    with pytest.raises(Exception, match=re.escape("port must be an integer from 1 to 65535; received 0")):
        build_stack(port=0)


def test_the_readme_python_example_runs():
    readme = Path(os.environ.get("README", "README.md")).read_text()
    block = re.search(r"### Python\n\n```python\n(.*?)```", readme, re.S).group(1)
    with tempfile.TemporaryDirectory() as outdir:
        # A process of its own: the jsii kernel reads CDK_OUTDIR when it starts.
        subprocess.run([sys.executable, "-c", block], env={**os.environ, "CDK_OUTDIR": outdir}, check=True)
        synthesized = json.loads((Path(outdir) / "MyService.template.json").read_text())
    listeners = [r for r in synthesized["Resources"].values() if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"]
    assert [listener["Properties"]["Port"] for listener in listeners] == [8080]


def test_typescript_python_and_java_synthesize_the_same_template(template):
    typescript = json.loads((OUT / "typescript.template.json").read_text())
    java = json.loads((OUT / "java.template.json").read_text())
    python = template.to_json()
    assert python == typescript
    assert java == typescript
