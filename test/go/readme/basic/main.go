package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/privatefargatebehindalb/private-fargate-behind-alb-go/privatefargatebehindalb"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("MyService"), nil)
	privatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("Web"), &privatefargatebehindalb.PrivateFargateBehindAlbProps{
		Port:        jsii.Number(8080),
		MinCapacity: jsii.Number(2),
		MaxCapacity: jsii.Number(5),
	})
	app.Synth(nil)
}
