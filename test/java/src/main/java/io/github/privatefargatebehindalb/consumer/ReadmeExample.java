package io.github.privatefargatebehindalb.consumer;

// README-START
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import io.github.privatefargatebehindalb.PrivateFargateBehindAlb;
// README-END

/** The README's Java example, as a program; ConsumerTest checks that the README shows this code. */
public final class ReadmeExample {
    private ReadmeExample() {
    }

    public static App run() {
        // README-START
        App app = new App();
        Stack stack = new Stack(app, "MyService");
        PrivateFargateBehindAlb web = PrivateFargateBehindAlb.Builder.create(stack, "Web")
                .port(8080)
                .minCapacity(2)
                .maxCapacity(5)
                .build();
        app.synth();
        // README-END
        return app;
    }

    public static void main(String[] args) {
        run();
    }
}
