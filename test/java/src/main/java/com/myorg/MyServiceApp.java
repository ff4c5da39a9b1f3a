package com.myorg;

import io.github.privatefargatebehindalb.PrivateFargateBehindAlb;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;

public final class MyServiceApp {
    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "MyService");
        PrivateFargateBehindAlb.Builder.create(stack, "Web")
                .port(8080)
                .minCapacity(2)
                .maxCapacity(5)
                .build();
        app.synth();
    }
}
