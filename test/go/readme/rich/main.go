package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/privatefargatebehindalb/private-fargate-behind-alb-go/privatefargatebehindalb"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("MyService"), nil)

	// Your own image, built from the folder app (it must serve HTTP on $PORT), with its
	// environment and a secret from Secrets Manager.
	web := privatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("Web"), &privatefargatebehindalb.PrivateFargateBehindAlbProps{
		Port:            jsii.Number(8080),
		Image:           awsecs.ContainerImage_FromAsset(jsii.String("app"), nil),
		HealthCheckPath: jsii.String("/healthz"),
		Environment:     &map[string]*string{"LOG_LEVEL": jsii.String("info")},
		Secrets: &map[string]awsecs.Secret{
			"DB_PASSWORD": awsecs.Secret_FromSecretsManager(
				awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("DbPassword"), jsii.String("my-service/db-password")), nil),
		},
		MinCapacity: jsii.Number(2),
		MaxCapacity: jsii.Number(5),
	})

	// A second service on the same load balancer, on its own port, from a private ECR repository.
	privatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("Api"), &privatefargatebehindalb.PrivateFargateBehindAlbProps{
		LoadBalancer: web.LoadBalancer(),
		Port:         jsii.Number(8081),
		Image: awsecs.ContainerImage_FromEcrRepository(
			awsecr.Repository_FromRepositoryName(stack, jsii.String("ApiRepository"), jsii.String("my-api")), jsii.String("1.0.0")),
	})

	// Let the first service's tasks reach a database on 5432.
	database := awsec2.NewSecurityGroup(stack, jsii.String("Database"), &awsec2.SecurityGroupProps{Vpc: web.Vpc()})
	web.Connections().AllowTo(database, awsec2.Port_Tcp(jsii.Number(5432)), nil)

	app.Synth(nil)
}
