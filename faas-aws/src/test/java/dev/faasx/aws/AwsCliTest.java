package dev.faasx.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.aws.local.LocalLambda;
import dev.faasx.aws.support.Executors;
import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.aws.support.TestHandlers;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.SpecCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS CLI (Debian's {@code awscli} package, {@code /usr/bin/aws}) against the emulator: create, wait, invoke,
 * describe and delete a function, as a user would. Skipped where the CLI is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EnabledIf("cliInstalled")
@DisplayName("The AWS CLI manages and invokes functions on the local Lambda")
class AwsCliTest {
    private static final Path CLI = Path.of("/usr/bin/aws");
    private final LocalLambda fake = Executors.emulator().build();
    private final LambdaPackages packages = new LambdaPackages();

    static boolean cliInstalled() {
        return Files.isExecutable(CLI);
    }

    @AfterAll
    void close() {
        fake.close();
    }

    @Test
    @DisplayName("create-function, wait function-active-v2 (GetFunction), invoke and delete-function work")
    void fullCycle(@TempDir Path dir) throws Exception {
        Path zip = dir.resolve("fn.jar");
        Files.write(zip, packages.jar(TestHandlers.Upper.class).jar());
        aws("lambda", "create-function", "--function-name", "cli-fn", "--runtime", "java21", "--handler",
                "dev.faasx.aws.function.LambdaJobHandler::handleRequest", "--role", LocalLambda.roleArn(),
                "--zip-file", "fileb://" + zip, "--environment",
                "Variables={FAASX_HANDLER=" + TestHandlers.Upper.class.getName() + "}");
        aws("lambda", "wait", "function-active-v2", "--function-name", "cli-fn");

        Path request = dir.resolve("request.json");
        Files.write(request, SpecCodec.create().encodeRequest(InvokeRequest.of(3, "from the cli".getBytes(
                StandardCharsets.UTF_8))));
        Path out = dir.resolve("out.json");
        String invoked = aws("lambda", "invoke", "--function-name", "cli-fn", "--payload", "fileb://" + request,
                out.toString());
        assertThat(invoked).contains("\"StatusCode\": 200").doesNotContain("FunctionError");
        InvokeResponse response = SpecCodec.create().decodeResponse(Files.readAllBytes(out));
        assertThat(response.result()).isEqualTo("FROM THE CLI".getBytes(StandardCharsets.UTF_8));

        aws("lambda", "delete-function", "--function-name", "cli-fn");
        assertThat(fake.calls()).anySatisfy(c -> {
            assertThat(c.operation()).isEqualTo("DeleteFunction");
            assertThat(c.status()).isEqualTo(204);
        });
    }

    private String aws(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLI.toString(), "--endpoint-url", fake.endpoint().toString(),
                "--region", LocalLambda.REGION, "--no-cli-pager"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("AWS_ACCESS_KEY_ID", Executors.ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", Executors.SECRET_KEY);
        pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        Process process = pb.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("aws " + String.join(" ", args) + " did not finish");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("aws %s: %s", String.join(" ", args), text).isZero();
        return text;
    }
}
