"""What the TypeScript tests prove, proved again through the Python package; its last tests compare
the templates of the four languages (TypeScript, Python, Java, Go)."""
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_route53 as route53
from aws_cdk.assertions import Match, Template
from private_fargate_behind_alb import PrivateFargateBehindAlb

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


def test_a_weight_above_1000_raises_the_typescript_message():
    with pytest.raises(Exception, match=re.escape("capacityProviderStrategies[0].weight must be an integer from 0 to 1000; received 1001")):
        build_stack(capacity_provider_strategies=[ecs.CapacityProviderStrategy(capacity_provider="FARGATE_SPOT", weight=1001)])


def test_port_0_raises_the_typescript_message():
    with pytest.raises(Exception, match=re.escape("port must be an integer from 1 to 65535; received 0")):
        build_stack(port=0)


README = Path(os.environ.get("README", "README.md"))
CONSUMERS = Path(__file__).resolve().parent.parent / "consumers"


def readme_block(section: str, language: str) -> str:
    """The first fenced block of the language under "### Python" in the README's section."""
    part = re.search(r"\n## " + re.escape(section) + r"\n(.*?)(\n## |\Z)", README.read_text(), re.S)
    assert part, f"README has a section {section}"
    python = re.search(r"\n### Python\n(.*?)(\n### |\Z)", part.group(1), re.S)
    assert python, f"README's section {section} has a Python part"
    block = re.search(r"\n```" + language + r"\n(.*?)```", python.group(1), re.S)
    assert block, f"README's section {section} has a {language} block for Python"
    return block.group(1)


def synthesize(program: str, cwd: Path, context: str = "{}", command=None) -> dict:
    """Runs a README program as the cdk CLI does: a process of its own with CDK_OUTDIR and
    CDK_CONTEXT_JSON in its environment (the jsii kernel reads them when it starts)."""
    with tempfile.TemporaryDirectory() as outdir:
        env = {
            **os.environ,
            "CDK_OUTDIR": outdir,
            "CDK_CONTEXT_JSON": context,
            # python3 in cdk.json's app is this virtual environment's.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        if command is None:
            subprocess.run([sys.executable, "-c", program], cwd=cwd, env=env, check=True)
        else:
            subprocess.run(command, shell=True, cwd=cwd, env=env, check=True)
        return json.loads((Path(outdir) / "MyService.template.json").read_text())


def test_the_readme_install_and_run_program_runs_through_its_cdk_json():
    cdk_json = json.loads(readme_block("Install and run", "json"))
    assert cdk_json["app"] == "python3 app.py"
    with tempfile.TemporaryDirectory() as project:
        (Path(project) / "cdk.json").write_text(readme_block("Install and run", "json"))
        (Path(project) / "app.py").write_text(readme_block("Install and run", "python"))
        synthesized = synthesize("", Path(project), command=cdk_json["app"])
    listeners = [r for r in synthesized["Resources"].values() if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"]
    assert [listener["Properties"]["Port"] for listener in listeners] == [8080]


def test_the_readme_usage_program_synthesizes_the_typescript_template():
    """An image asset, secrets, environment, a shared load balancer and connections, under the
    feature flags `cdk init` writes; run from test/consumers, which holds the image folder app."""
    context = (OUT / "cdk-init-context.json").read_text()
    synthesized = synthesize(readme_block("Usage", "python"), CONSUMERS, context)
    (OUT / "python.rich.template.json").write_text(json.dumps(synthesized, indent=2))
    assert synthesized == json.loads((OUT / "typescript.rich.template.json").read_text())


def readme_fences(language: str) -> list:
    """Every fenced block of the language in the README, as (README line of its first code line, code)."""
    lines = README.read_text().split("\n")
    blocks, start = [], None
    for number, line in enumerate(lines, 1):
        if start is None and line == "```" + language:
            start = number + 1
        elif start is not None and line == "```":
            blocks.append((start, "\n".join(lines[start - 1:number - 1]) + "\n"))
            start = None
    assert start is None, f"README's {language} block at line {start} is never closed"
    return blocks


# Names a README fragment may use that other parts of the README declare, given to a fragment that
# uses one and does not declare it.
README_DEFAULTS = {
    "web": lambda stack: PrivateFargateBehindAlb(stack, "ReadmeWeb"),
    "hosted_zone": lambda stack: route53.HostedZone.from_lookup(stack, "ReadmeHostedZone", domain_name="example.com"),
    "zone": lambda stack: route53.HostedZone.from_lookup(stack, "ReadmeZone", domain_name="example.com"),
}


def undeclared_names(code: str) -> set:
    tree = ast.parse(code)
    declared = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            declared.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            declared.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            declared.add(node.name)
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return used - declared


def test_every_python_block_of_the_readme_that_is_not_a_whole_program_builds_a_service_that_synthesizes():
    """Each fragment runs in a fresh App, with `stack` (account and region set, so lookups give dummy
    values) and PrivateFargateBehindAlb; its stack is synthesized, so a construct error fails it."""
    programs = {readme_block("Install and run", "python"), readme_block("Usage", "python")}
    fragments = [(line, code) for line, code in readme_fences("python") if code not in programs]
    assert fragments, "README has Python blocks besides its whole programs"
    failures = []
    for line, code in fragments:
        try:
            stack = Stack(App(), "Readme", env=Environment(account="123456789012", region="us-east-1"))
            namespace = {"__name__": "readme", "stack": stack, "PrivateFargateBehindAlb": PrivateFargateBehindAlb}
            for name in sorted(undeclared_names(code) & README_DEFAULTS.keys()):
                namespace[name] = README_DEFAULTS[name](stack)
            # Padded so that a traceback names the README's own lines.
            exec(compile("\n" * (line - 1) + code, str(README), "exec"), namespace)
            services = Template.from_stack(stack).find_resources("AWS::ECS::Service")
            if not services:
                failures.append(f"README.md line {line}: the Python block builds no service in stack")
        except Exception as error:  # noqa: BLE001 (every failure is reported with its block's line)
            at = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == str(README)]
            where = f" at line {at[-1]}" if at else ""
            failures.append(f"README.md line {line}: the Python block fails{where}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures)


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


def test_the_readme_usage_programs_of_the_four_languages_synthesize_the_same_template():
    typescript = json.loads((OUT / "typescript.rich.template.json").read_text())
    for language in ("python", "java", "go"):
        assert json.loads((OUT / f"{language}.rich.template.json").read_text()) == typescript, language
