// What the TypeScript tests prove, proved again through the Go module that `npx projen package-all`
// builds into dist/go, in a real Go CDK program (github.com/aws/aws-cdk-go/awscdk/v2). Run by
// test/consumers/run.sh, which sets CONSUMERS_OUT (where the templates of the four languages meet).
package consumer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	"github.com/privatefargatebehindalb/private-fargate-behind-alb-go/privatefargatebehindalb"
)

var (
	out      = envOr("CONSUMERS_OUT", "../consumers/out")
	template assertions.Template
)

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	defer jsii.Close()
	var err error
	if out, err = filepath.Abs(out); err != nil {
		panic(err)
	}

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Consumer"), nil)
	privatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("Web"), &privatefargatebehindalb.PrivateFargateBehindAlbProps{
		Port:        jsii.Number(8080),
		MinCapacity: jsii.Number(2),
		MaxCapacity: jsii.Number(5),
	})
	template = assertions.Template_FromStack(stack, nil)
	writeJSON(filepath.Join(out, "go.template.json"), templateJSON())
	return m.Run()
}

// templateJSON is the consumers' template as plain JSON values, as encoding/json reads a file.
func templateJSON() map[string]any {
	return normalize(*template.ToJSON())
}

func normalize(value any) map[string]any {
	data, err := json.Marshal(value)
	if err != nil {
		panic(err)
	}
	var plain map[string]any
	if err := json.Unmarshal(data, &plain); err != nil {
		panic(err)
	}
	return plain
}

func writeJSON(path string, value any) {
	data, err := json.MarshalIndent(value, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		panic(err)
	}
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var value map[string]any
	if err := json.Unmarshal(data, &value); err != nil {
		t.Fatal(err)
	}
	return value
}

// portPlaces lists every port-valued property of the template but the HTTPS rules of the VPC endpoints.
func portPlaces(tmpl map[string]any) []string {
	var places []string
	var walk func(value any)
	walk = func(value any) {
		switch v := value.(type) {
		case []any:
			for _, item := range v {
				walk(item)
			}
		case map[string]any:
			if v["Name"] == "PORT" {
				places = append(places, fmt.Sprint(v["Value"]))
			}
			if from, ok := v["FromPort"]; ok && v["IpProtocol"] == "tcp" {
				places = append(places, fmt.Sprint(from))
			}
			for key, child := range v {
				_, isMap := child.(map[string]any)
				_, isList := child.([]any)
				if (key == "Port" || key == "ContainerPort" || key == "HostPort") && !isMap && !isList {
					places = append(places, fmt.Sprint(child))
				} else if key != "FromPort" && key != "ToPort" {
					walk(child)
				}
			}
		}
	}
	for _, resource := range tmpl["Resources"].(map[string]any) {
		walk(resource.(map[string]any)["Properties"])
	}
	kept := places[:0]
	for _, place := range places {
		if place != "443" {
			kept = append(kept, place)
		}
	}
	return kept
}

func TestPort8080IsInEveryPortPlaceAnd80InNone(t *testing.T) {
	places := portPlaces(templateJSON())
	if len(places) != 10 {
		t.Fatalf("want 10 port places, got %d: %v", len(places), places)
	}
	for _, place := range places {
		if place != "8080" {
			t.Fatalf("want every port place to hold 8080, got %v", places)
		}
	}
}

func TestTheTargetGroupIsOfTypeIp(t *testing.T) {
	template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"),
		map[string]any{"TargetType": "ip", "Port": 8080, "Protocol": "HTTP"})
}

func TestTheFourEndpointsAreThere(t *testing.T) {
	var services []string
	for _, endpoint := range normalize(*template.FindResources(jsii.String("AWS::EC2::VPCEndpoint"), nil)) {
		name := endpoint.(map[string]any)["Properties"].(map[string]any)["ServiceName"].(map[string]any)
		services = append(services, name["Fn::Join"].([]any)[1].([]any)[2].(string))
	}
	sort.Strings(services)
	if want := []string{".ecr.api", ".ecr.dkr", ".logs", ".s3"}; !reflect.DeepEqual(services, want) {
		t.Fatalf("want endpoints %v, got %v", want, services)
	}
}

func TestTheScalingBoundsAre2To5(t *testing.T) {
	template.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalableTarget"),
		map[string]any{"MinCapacity": 2, "MaxCapacity": 5})
}

func TestTheTasksGetNoPublicIp(t *testing.T) {
	template.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{
		"NetworkConfiguration": map[string]any{
			"AwsvpcConfiguration": assertions.Match_ObjectLike(&map[string]any{"AssignPublicIp": "DISABLED"}),
		},
	})
}

// ARM64 with one task on demand and the rest on Spot, and the container options, give the TypeScript template.
func TestArm64SpotAndTheContainerOptionsSynthesizeTheTypeScriptTemplate(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Consumer"), nil)
	privatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("Web"), &privatefargatebehindalb.PrivateFargateBehindAlbProps{
		CpuArchitecture: awsecs.CpuArchitecture_ARM64(),
		CapacityProviderStrategies: &[]*awsecs.CapacityProviderStrategy{
			{CapacityProvider: jsii.String("FARGATE"), Base: jsii.Number(1), Weight: jsii.Number(0)},
			{CapacityProvider: jsii.String("FARGATE_SPOT"), Weight: jsii.Number(1)},
		},
		EntryPoint: jsii.Strings("/docker-entrypoint.sh"),
		Command:    jsii.Strings("nginx", "-g", "daemon off;"),
		ContainerHealthCheck: &awsecs.HealthCheck{
			Command:     jsii.Strings("CMD-SHELL", "wget -q -O /dev/null http://localhost:$PORT/ || exit 1"),
			Interval:    awscdk.Duration_Seconds(jsii.Number(15)),
			StartPeriod: awscdk.Duration_Seconds(jsii.Number(10)),
		},
		EphemeralStorageGiB:            jsii.Number(30),
		ReadonlyRootFilesystem:         jsii.Bool(true),
		TargetRequestsPerTarget:        jsii.Number(500),
		TargetMemoryUtilizationPercent: jsii.Number(75),
	})
	synthesized := normalize(*assertions.Template_FromStack(stack, nil).ToJSON())
	writeJSON(filepath.Join(out, "go.arm64-spot.template.json"), synthesized)
	if typescript := readJSON(t, filepath.Join(out, "typescript.arm64-spot.template.json")); !reflect.DeepEqual(synthesized, typescript) {
		t.Fatal("the Go template of ARM64 with Spot differs from the TypeScript one: compare go.arm64-spot.template.json and typescript.arm64-spot.template.json in " + out)
	}
}

// Constructing does not panic: the app's synthesis refuses, as aws-cdk-lib's own validations do, naming
// the props as Go writes them.
func TestPort0AndAWeightAbove1000AreRefusedAtSynthInGoNames(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Bad"), nil)
	privatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("Web"), &privatefargatebehindalb.PrivateFargateBehindAlbProps{
		Port: jsii.Number(0),
	})
	privatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("Api"), &privatefargatebehindalb.PrivateFargateBehindAlbProps{
		CapacityProviderStrategies: &[]*awsecs.CapacityProviderStrategy{{CapacityProvider: jsii.String("FARGATE_SPOT"), Weight: jsii.Number(1001)}},
	})
	defer func() {
		message := fmt.Sprint(recover())
		for _, want := range []string{
			"Validation failed with the following errors:\n  [Bad/Web] port must be an integer from 1 to 65535; received 0",
			"[Bad/Api] CapacityProviderStrategies[0].weight must be an integer from 0 to 1000; received 1001",
		} {
			if !strings.Contains(message, want) {
				t.Fatalf("want %q, got %q", want, message)
			}
		}
	}()
	app.Synth(nil)
}

func TestGoSynthesizesTheTypeScriptTemplate(t *testing.T) {
	if typescript := readJSON(t, filepath.Join(out, "typescript.template.json")); !reflect.DeepEqual(templateJSON(), typescript) {
		t.Fatal("the Go template differs from the TypeScript one: compare go.template.json and typescript.template.json in " + out)
	}
}
