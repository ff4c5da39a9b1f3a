package consumer

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// readmeFence is a fenced block of the README: the README line of its first code line, and its code.
type readmeFence struct {
	line int
	code string
}

// readmeFences returns every fenced block of the language in the README.
func readmeFences(t *testing.T, language string) []readmeFence {
	t.Helper()
	readme, err := os.ReadFile(envOr("README", "../../README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(readme), "\n")
	var blocks []readmeFence
	start := 0
	for number := 1; number <= len(lines); number++ {
		line := lines[number-1]
		if start == 0 && line == "```"+language {
			start = number + 1
		} else if start != 0 && line == "```" {
			blocks = append(blocks, readmeFence{start, strings.Join(lines[start-1:number-1], "\n") + "\n"})
			start = 0
		}
	}
	if start != 0 {
		t.Fatalf("README's %s block at line %d is never closed", language, start)
	}
	return blocks
}

// The names other parts of the README declare, declared for a block that uses one and does not declare it.
var readmeDefaults = map[string]string{
	"web": `web := privatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("ReadmeWeb"), nil)`,
	"hostedZone": `hostedZone := awsroute53.HostedZone_FromLookup(stack, jsii.String("ReadmeHostedZone"), ` +
		`&awsroute53.HostedZoneProviderProps{DomainName: jsii.String("example.com")})`,
	"zone": `zone := awsroute53.HostedZone_FromLookup(stack, jsii.String("ReadmeZone"), ` +
		`&awsroute53.HostedZoneProviderProps{DomainName: jsii.String("example.com")})`,
}

var (
	goImportLine  = regexp.MustCompile(`^import\s+(\w+\s+)?"([^"]+)"\s*$`)
	goImportEntry = regexp.MustCompile(`^\s*(\w+\s+)?"([^"]+)"\s*$`)
	// A package a block refers to by name, imported for it unless it imports it itself.
	goPackageUse = regexp.MustCompile(`\b(awscdk|aws[a-z0-9]+|jsii|privatefargatebehindalb)\.`)
)

func goImportPath(name string) string {
	switch name {
	case "awscdk":
		return "github.com/aws/aws-cdk-go/awscdk/v2"
	case "jsii":
		return "github.com/aws/jsii-runtime-go"
	case "privatefargatebehindalb":
		return "github.com/privatefargatebehindalb/private-fargate-behind-alb-go/privatefargatebehindalb"
	}
	return "github.com/aws/aws-cdk-go/awscdk/v2/" + name
}

// goFragmentSource makes a README block the body of the function readmeLine<line>(stack awscdk.Stack),
// after its own imports and those of the packages it names; //line comments make the compiler and
// the stack traces name the README's lines.
func goFragmentSource(block readmeFence) string {
	lines := strings.Split(strings.TrimSuffix(block.code, "\n"), "\n")
	var imports []string
	imported := map[string]bool{}
	body := 0
	for inBlock := false; body < len(lines); body++ {
		line := lines[body]
		var match []string
		switch {
		case inBlock && strings.TrimSpace(line) == ")":
			inBlock = false
			continue
		case inBlock:
			match = goImportEntry.FindStringSubmatch(line)
		case strings.TrimSpace(line) == "import (":
			inBlock = true
			continue
		case strings.TrimSpace(line) == "":
			continue
		default:
			match = goImportLine.FindStringSubmatch(line)
		}
		if match == nil {
			break
		}
		name := strings.TrimSpace(match[1])
		if name == "" {
			name = filepath.Base(match[2])
			if regexp.MustCompile(`^v\d+$`).MatchString(name) {
				name = filepath.Base(filepath.Dir(match[2]))
			}
		}
		imported[name] = true
		imports = append(imports, fmt.Sprintf("//line README.md:%d\nimport %s %q", block.line+body, name, match[2]))
	}
	code := strings.Join(lines[body:], "\n")

	var defaults []string
	for name, declaration := range readmeDefaults {
		used := regexp.MustCompile(`\b` + name + `\b`).MatchString(code)
		declared := regexp.MustCompile(`\b` + name + `(\s*,\s*\w+)*\s*:=|\bvar\s+` + name + `\b`).MatchString(code)
		if used && !declared {
			defaults = append(defaults, "\t"+declaration)
		}
	}
	sort.Strings(defaults)

	names := map[string]bool{"awscdk": true}
	for _, use := range goPackageUse.FindAllStringSubmatch(code+"\n"+strings.Join(defaults, "\n"), -1) {
		names[use[1]] = true
	}
	var own []string
	for name := range names {
		if !imported[name] {
			own = append(own, fmt.Sprintf("\t%s %q", name, goImportPath(name)))
		}
	}
	sort.Strings(own)

	return fmt.Sprintf("package main\n\n%s\n\nimport (\n%s\n)\n\nfunc readmeLine%d(stack awscdk.Stack) {\n%s\n//line README.md:%d\n%s\n}\n",
		strings.Join(imports, "\n"), strings.Join(own, "\n"), block.line, strings.Join(defaults, "\n"), block.line+body, code)
}

// The program that runs the blocks: each with a stack in a fresh App, synthesized; it writes what
// became of each to the file named by its argument.
const goFragmentsMain = `package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime/debug"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

type result struct {
	Line  int    ` + "`json:\"line\"`" + `
	Error string ` + "`json:\"error\"`" + `
}

func runFragment(run func(awscdk.Stack)) (failure string) {
	defer func() {
		if r := recover(); r != nil {
			failure = fmt.Sprint(r)
			if at := regexp.MustCompile(` + "`README\\.md:\\d+`" + `).FindString(string(debug.Stack())); at != "" {
				failure = "at " + at + ": " + failure
			}
		}
	}()
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Readme"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")},
	})
	run(stack)
	if len(*assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::ECS::Service"), nil)) == 0 {
		return "it builds no service in stack"
	}
	return ""
}

func main() {
	defer jsii.Close()
	var results []result
	for _, fragment := range fragments {
		results = append(results, result{fragment.line, runFragment(fragment.run)})
	}
	data, err := json.Marshal(results)
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(os.Args[1], data, 0o644); err != nil {
		panic(err)
	}
}
`

// Every Go block of the README but the whole programs in readme/, each the body of a function of
// one program that calls it with a stack in a fresh App (account and region set, so lookups give
// dummy values) and synthesizes that stack, so a construct error fails it.
func TestEveryGoBlockOfTheReadmeThatIsNotAWholeProgramBuildsAServiceThatSynthesizes(t *testing.T) {
	programs := map[string]bool{readmeBlock(t, "Install and run", "go"): true, readmeBlock(t, "Usage", "go"): true}
	var fragments []readmeFence
	for _, block := range readmeFences(t, "go") {
		if !programs[block.code] {
			fragments = append(fragments, block)
		}
	}
	if len(fragments) == 0 {
		t.Fatal("README has no Go blocks besides its whole programs")
	}

	// Inside this module, so that its go.mod (and its replace onto dist/go) applies.
	dir, err := os.MkdirTemp(".", "readme-fragments-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	table := "package main\n\nimport \"github.com/aws/aws-cdk-go/awscdk/v2\"\n\nvar fragments = []struct {\n\tline int\n\trun  func(awscdk.Stack)\n}{\n"
	for _, fragment := range fragments {
		file := filepath.Join(dir, fmt.Sprintf("readme_line_%d.go", fragment.line))
		if err := os.WriteFile(file, []byte(goFragmentSource(fragment)), 0o644); err != nil {
			t.Fatal(err)
		}
		table += fmt.Sprintf("\t{%d, readmeLine%d},\n", fragment.line, fragment.line)
	}
	table += "}\n"
	for name, source := range map[string]string{"main.go": goFragmentsMain, "fragments.go": table} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(source), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	program := filepath.Join(bin, "readme-fragments")
	if output, err := exec.Command("go", "build", "-buildvcs=false", "-o", program, "./"+dir).CombinedOutput(); err != nil {
		t.Fatalf("the README's Go blocks do not build (%v):\n%s", err, output)
	}
	resultsFile := filepath.Join(t.TempDir(), "results.json")
	command := exec.Command(program, resultsFile)
	command.Stdout, command.Stderr = os.Stdout, os.Stderr
	if err := command.Run(); err != nil {
		t.Fatalf("the program of the README's Go blocks: %v", err)
	}
	data, err := os.ReadFile(resultsFile)
	if err != nil {
		t.Fatal(err)
	}
	var results []struct {
		Line  int    `json:"line"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(data, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != len(fragments) {
		t.Fatalf("want the results of %d blocks, got %d", len(fragments), len(results))
	}
	for _, result := range results {
		if result.Error != "" {
			t.Errorf("README.md line %d: the Go block fails: %s", result.Line, result.Error)
		}
	}
}
