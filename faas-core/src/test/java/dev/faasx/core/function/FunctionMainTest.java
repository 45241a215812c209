package dev.faasx.core.function;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.SpecCodec;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionMainTest {
    private static final long TIMEOUT_SECONDS = 120;
    private final SpecCodec codec = SpecCodec.create();

    private InvokeResponse decode(String json) {
        return codec.decodeResponse(json.getBytes(UTF_8));
    }

    /** A run of {@link FunctionMain#run} in this JVM. */
    private record InProcess(int status, String out, String log) {
    }

    private static InProcess runInProcess(Map<String, String> env, String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int status = FunctionMain.run(args, env, new ByteArrayInputStream(input.getBytes(UTF_8)), out,
                new PrintStream(log, true, UTF_8));
        return new InProcess(status, out.toString(UTF_8), log.toString(UTF_8));
    }

    @Nested
    @DisplayName("arguments and environment")
    class Launching {
        @Test
        void withoutAHandlerClassItExitsWithUsage() {
            InProcess run = runInProcess(Map.of(), "{}");

            assertThat(run.status()).isEqualTo(FunctionMain.EXIT_USAGE);
            assertThat(run.log()).contains("no handler class", "usage:");
            assertThat(run.out()).isEmpty();
        }

        @Test
        void unknownOptionsAndWorkerModesAreUsageErrors() {
            assertThat(runInProcess(Map.of(), "", "--fast", TestHandlers.Echo.class.getName()).status())
                    .isEqualTo(FunctionMain.EXIT_USAGE);
            assertThat(runInProcess(Map.of(FunctionMain.WORKER_MODE_ENV, "threads"), "",
                    TestHandlers.Echo.class.getName()).log()).contains("FAASX_WORKER_MODE must be");
        }

        @Test
        void theHandlerCanComeFromTheEnvironment() {
            InProcess run = runInProcess(Map.of(FunctionMain.HANDLER_ENV, TestHandlers.Echo.class.getName()),
                    "{\"job_id\":1,\"args\":[5]}");

            assertThat(run.status()).isZero();
            assertThat(decode(run.out()).result()).containsExactly(5);
        }

        @Test
        void aMissingHandlerClassAnswersTheRequestWithAFailureAndExitsWithOne() {
            InProcess run = runInProcess(Map.of(), "{\"job_id\":8,\"args\":[]}", "com.example.Missing");

            assertThat(run.status()).isEqualTo(FunctionMain.EXIT_FAILED);
            InvokeResponse response = decode(run.out());
            assertThat(response.jobId()).isEqualTo(8);
            assertThat(response.error()).hasValueSatisfying(e -> assertThat(e).contains("com.example.Missing"));
        }

        @Test
        void aClassThatIsNotAHandlerOrCannotBeBuiltIsNamedInTheLog() {
            assertThat(runInProcess(Map.of(), "{}", TestHandlers.NotAHandler.class.getName()).log())
                    .contains("does not implement dev.faasx.core.JobHandler");
            assertThat(runInProcess(Map.of(), "{}", TestHandlers.BrokenConstructor.class.getName()).log())
                    .contains("constructor", "missing configuration");
        }

        @Test
        void aWorkerWhoseHandlerCannotBeBuiltNeverSaysReady() {
            InProcess run = runInProcess(Map.of(), "{\"job_id\":1,\"args\":[]}\n", "--worker",
                    TestHandlers.NotAHandler.class.getName());

            assertThat(run.status()).isEqualTo(FunctionMain.EXIT_FAILED);
            assertThat(run.out()).isEmpty();
        }

        @Test
        void handlerFailuresGoToTheLogWithTheirStackTrace() {
            InProcess run = runInProcess(Map.of(), "{\"job_id\":1,\"args\":[]}",
                    TestHandlers.Failing.class.getName());

            assertThat(run.status()).isZero();
            assertThat(run.log()).contains("IllegalStateException", "at " + TestHandlers.Failing.class.getName());
            assertThat(run.out()).doesNotContain("\tat ");
        }
    }

    @Nested
    @DisplayName("as a child process")
    class ChildProcess {
        @TempDir
        Path dir;

        private ProcessBuilder command(String... args) {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    FunctionMain.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile());
            builder.environment().remove(FunctionMain.HANDLER_ENV);
            builder.environment().remove(FunctionMain.WORKER_MODE_ENV);
            return builder;
        }

        private String stderr() throws IOException {
            return Files.readString(dir.resolve("stderr.txt"));
        }

        /** Sends {@code input}, closes stdin, and returns everything the process wrote to stdout. */
        private String runToEnd(Process process, String input) throws Exception {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(UTF_8));
            }
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("process ended").isTrue();
            return stdout.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        @Test
        void answersOneV1RequestAndKeepsTheHandlersPrintingOffStdout() throws Exception {
            Process process = command(TestHandlers.Chatty.class.getName()).start();

            String stdout = runToEnd(process, "{\"job_id\":42,\"args\":[104,105]}");

            assertThat(process.exitValue()).isZero();
            assertThat(stdout.lines().toList()).hasSize(1);
            InvokeResponse response = decode(stdout);
            assertThat(response.jobId()).isEqualTo(42);
            assertThat(response.result()).isEqualTo("hi".getBytes(UTF_8));
            assertThat(stderr()).contains("chatty handler says hello", "\"job_id\":999");
        }

        @Test
        void aThrowingHandlerAnswersAFailureAndExitsNormally() throws Exception {
            Process process = command(TestHandlers.Failing.class.getName()).start();

            String stdout = runToEnd(process, "{\"job_id\":5,\"args\":[120],\"call_id\":\"c5\"}");

            assertThat(process.exitValue()).isZero();
            InvokeResponse response = decode(stdout);
            assertThat(response.success()).isFalse();
            assertThat(response.error()).contains("cannot resize: x");
            assertThat(response.errorType()).contains(IllegalStateException.class.getName());
            assertThat(response.callId()).contains("c5");
            assertThat(stdout).doesNotContain("\tat ");
            assertThat(stderr()).contains("at " + TestHandlers.Failing.class.getName());
        }

        @Test
        void aWorkerSaysReadyThenAnswersEachLineInOrder() throws Exception {
            ProcessBuilder builder = command(TestHandlers.Echo.class.getName());
            builder.environment().put(FunctionMain.WORKER_MODE_ENV, "persistent");
            Process process = builder.start();
            try (BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
                 OutputStream stdin = process.getOutputStream()) {
                assertThat(readLine(stdout)).isEqualTo(FunctionHost.READY_LINE);

                for (int i = 1; i <= 3; i++) {
                    stdin.write(("{\"job_id\":" + i + ",\"args\":[" + i + "],\"call_id\":\"c" + i + "\"}\n")
                            .getBytes(UTF_8));
                    stdin.flush();
                    InvokeResponse response = decode(readLine(stdout));
                    assertThat(response.jobId()).isEqualTo(i);
                    assertThat(response.callId()).contains("c" + i);
                    assertThat(response.result()).containsExactly(i);
                }

                stdin.write("garbage\n{\"job_id\":4,\"args_base64\":\"BA==\"}\n".getBytes(UTF_8));
                stdin.flush();
                assertThat(decode(readLine(stdout)).success()).isFalse();
                String fourth = readLine(stdout);
                assertThat(fourth).contains("\"result_base64\":\"BA==\"");
            }
            assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("worker ended with stdin").isTrue();
            assertThat(process.exitValue()).isZero();
        }

        @Test
        void theWorkerFlagSelectsWorkerModeToo() throws Exception {
            Process process = command("--worker", TestHandlers.Echo.class.getName()).start();

            String stdout = runToEnd(process, "{\"job_id\":1,\"args\":[]}\n{\"job_id\":2,\"args\":[]}\n");

            assertThat(stdout.lines().toList()).hasSize(3).first().isEqualTo(FunctionHost.READY_LINE);
            assertThat(process.exitValue()).isZero();
        }

        private String readLine(BufferedReader reader) throws Exception {
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(line).as("a line from the worker").isNotNull();
            return line;
        }
    }
}
