package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Functions written to attack the server and each other, run in the sandbox. Each attack must fail or be contained,
 * and afterwards the server and the other functions must still answer correctly. Skipped where bubblewrap is not
 * installed.
 */
class HostileFunctionTest {
    private static final String SECRET = "victim-secret-4711";
    private static final String API_KEY = "server-api-key-0815";
    private static TestServer server;
    private static String victimVersionDir;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(Sandboxes.bubblewrapInstalled(), Sandboxes.MISSING);
        server = TestServer.start(b -> b.isolation(Isolation.SANDBOX).apiKey(API_KEY)
                .limits(ServerLimits.builder().maxProcessesPerInstance(64).tmpBytes(8L * 1024 * 1024).build()))
                .withApiKey(API_KEY);
        assertThat(server.deploy("victim", Bootstraps.script(Bootstraps.V1_ECHO),
                "{\"env_vars\":{\"SECRET\":\"" + SECRET + "\"}}", false).statusCode()).isEqualTo(200);
        assertThat(server.deploy("victim-worker", Bootstraps.script(Bootstraps.PERSISTENT_ECHO),
                "{\"worker_mode\":\"persistent\",\"env_vars\":{\"SECRET\":\"" + SECRET + "\"}}", false)
                .statusCode()).isEqualTo(200);
        try (var versions = Files.list(server.dataDirectory().resolve("functions/victim"))) {
            victimVersionDir = versions.filter(Files::isDirectory).findFirst().orElseThrow().toString();
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void everyoneElseStillAnswers() {
        JsonNode echo = Json.of(server.invoke("victim", "{\"job_id\":1,\"args\":[1,2,3]}"));
        assertThat(InvokeTest.numbers(echo.path("result"))).containsExactly(1, 2, 3);
        JsonNode worker = Json.of(server.invoke("victim-worker", "{\"job_id\":2,\"args\":[4]}"));
        assertThat(InvokeTest.numbers(worker.path("result"))).containsExactly(4);
        assertThat(server.get("/api/functions/victim/health").statusCode()).isEqualTo(200);
    }

    /** Deploys {@code script} (a v1 bootstrap, stdin already consumed) and answers what it printed on stdout. */
    private static String attack(String id, String script) {
        return attack(id, script, "{\"timeout_secs\":20}").body;
    }

    private static Outcome attack(String id, String script, String config) {
        // What the attack prints is collected through a pipe, not a file: an attack may fill /tmp.
        String bootstrap = "#!/bin/sh\ncat >/dev/null\nreport=$( {\n" + script + "\n} 2>&1 )\n"
                + "printf '{\"job_id\":1,\"result_base64\":\"%s\",\"success\":true}' "
                + "\"$(printf '%s\\n' \"$report\" | base64 -w0)\"\n";
        assertThat(server.deploy(id, Bootstraps.script(bootstrap), config, true).statusCode()).isEqualTo(200);
        HttpResponse<String> response = server.invoke(id, "{\"job_id\":1,\"args_base64\":\"\"}");
        JsonNode body = Json.of(response);
        String report = body.has("result_base64")
                ? new String(java.util.Base64.getDecoder().decode(body.path("result_base64").asText())) : "";
        return new Outcome(response.statusCode(), body, report);
    }

    /** A grep pattern for {@code text} that does not contain it, so that grep's own command line never matches. */
    private static String pattern(String text) {
        return "'" + text.substring(0, text.length() - 1) + "[" + text.charAt(text.length() - 1) + "]'";
    }

    private record Outcome(int status, JsonNode json, String body) {
    }

    @Nested
    class AFunctionTryingToReadOrChangeOthers {
        @Test
        void findsNoOtherFunctionNorTheDataDirectory() {
            String report = attack("reader", "cat '" + server.dataDirectory() + "/functions/victim/function.json'"
                    + "\nls '" + server.dataDirectory() + "'\ncat '" + victimVersionDir + "/bootstrap'\n"
                    + "grep -rl " + pattern(SECRET) + " / --exclude-dir=proc --exclude-dir=sys --exclude-dir=usr "
                + "2>/dev/null | head -5\necho done");

            assertThat(report).doesNotContain(SECRET).doesNotContain("victim\"").doesNotContain("sed -e")
                    .contains("No such file or directory").contains("done");
        }

        @Test
        void cannotRewriteAnotherFunctionOrItsOwnPackage() {
            String report = attack("writer", "echo 'echo owned' > '" + victimVersionDir + "/bootstrap'\n"
                    + "echo 'x' > /function/bootstrap\nmkdir -p '" + victimVersionDir + "'\n"
                    + "echo '{}' > '" + victimVersionDir + "/../function.json'\necho done");

            assertThat(report).contains("Read-only file system").contains("done");
            assertThat(Files.exists(Path.of(victimVersionDir, "bootstrap"))).isTrue();
        }
    }

    @Nested
    class AFunctionLookingForTheServer {
        @Test
        void seesOnlyItsOwnProcessesAsAnUnprivilegedUserWithoutTheServersSecrets() {
            String report = attack("spy", "id -u\nls /proc | grep -c '^[0-9]'\n"
                    + "cat /proc/*/cmdline /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c -e "
                    + pattern(API_KEY) + " -e " + pattern(SECRET) + " -e " + pattern("FAASX_API_KEY") + "\n"
                    + "kill -0 " + ProcessHandle.current().pid() + " && echo server-visible || echo server-hidden");

            String[] lines = report.split("\n");
            assertThat(lines[0]).isEqualTo("65534");
            assertThat(Integer.parseInt(lines[1].trim())).isLessThan(10);
            assertThat(lines[2].trim()).isEqualTo("0");
            assertThat(report).contains("server-hidden").doesNotContain(API_KEY);
        }

        @Test
        void cannotSignalTheServerOrAnotherFunction() {
            String before = Json.of(server.invoke("victim-worker", "{\"job_id\":1,\"args\":[]}")).path("metadata")
                    .path("pid").asText();

            String report = attack("killer", "kill -9 " + ProcessHandle.current().pid() + " || echo refused");
            server.deploy("killer-all", Bootstraps.script("#!/bin/sh\ncat >/dev/null\nkill -9 -1\nkill -9 0\n"),
                    null, false);
            HttpResponse<String> killedItself = server.invoke("killer-all", "{\"job_id\":1,\"args\":[]}");

            assertThat(report).contains("refused");
            assertThat(killedItself.statusCode()).isEqualTo(500);
            JsonNode after = Json.of(server.invoke("victim-worker", "{\"job_id\":1,\"args\":[]}"));
            assertThat(after.path("cold_start").asBoolean()).isFalse();
            assertThat(after.path("metadata").path("pid").asText()).isEqualTo(before);
        }
    }

    @Nested
    class AFunctionLeavingThingsBehind {
        @Test
        void hasItsDaemonsEndedWithTheInvocation() {
            attack("daemons", "setsid sh -c 'sleep 4021' </dev/null >/dev/null 2>&1 &\n"
                    + "(sleep 4022 </dev/null >/dev/null 2>&1 &)\necho left");

            Await.until(Duration.ofSeconds(10), "the daemons are gone", () -> Sandboxes.processesRunning(
                    "sleep 402") == 0);
        }

        @Test
        void hasItsListenerClosedWithTheInvocation() throws IOException {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "perl is not installed");
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            String report = attack("listener", "setsid perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new("
                    + "LocalAddr=>\"127.0.0.1:" + port + "\",Listen=>5,ReuseAddr=>1) or die; $|=1; print \"up\\n\"; "
                    + "while($c=$s->accept){print $c \"leak\\n\"; close $c}' </dev/null >/tmp/l.log 2>&1 &\n"
                    + "sleep 0.5\ncat /tmp/l.log");

            assertThat(report).contains("up");
            int listening = port;
            Await.until(Duration.ofSeconds(10), "the listener is closed", () -> !accepts(listening));
        }

        @Test
        void hasAPersistentWorkersDaemonsEndedWhenItIsUndeployed() {
            server.deploy("worker-daemon", Bootstraps.script("#!/bin/sh\nsetsid sh -c 'sleep 3023' </dev/null "
                    + ">/dev/null 2>&1 &\n" + Bootstraps.PERSISTENT_ECHO.substring("#!/bin/sh\n".length())),
                    "{\"worker_mode\":\"persistent\"}", false);
            assertThat(server.invoke("worker-daemon", "{\"job_id\":1,\"args\":[]}").statusCode()).isEqualTo(200);
            assertThat(Sandboxes.processesRunning("sleep 3023")).isPositive();

            server.delete("/api/functions/worker-daemon");

            Await.until(Duration.ofSeconds(10), "the worker's daemon is gone", () -> Sandboxes.processesRunning(
                    "sleep 3023") == 0);
            Await.until(Duration.ofSeconds(10), "the function's directory is gone", () -> !Files.exists(
                    server.dataDirectory().resolve("functions/worker-daemon")));
        }

        private boolean accepts(int port) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    @Nested
    class AFunctionWithoutNetwork {
        @Test
        void cannotReachTheServersApiNorAnythingElse() {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "perl is not installed");
            try (TestServer isolated = TestServer.start(b -> b.isolation(Isolation.SANDBOX).functionNetwork(false))) {
                String probe = "#!/bin/sh\ncat >/dev/null\nr=$(perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new("
                        + "PeerAddr=>\"127.0.0.1:" + isolated.server().port() + "\",Timeout=>2); print $s ? "
                        + "\"connected\" : \"refused\"')\nprintf '{\"job_id\":1,\"result\":[],\"success\":true,"
                        + "\"metadata\":{\"net\":\"%s\"}}' \"$r\"\n";
                isolated.deploy("offline", Bootstraps.script(probe));
                server.deploy("online", Bootstraps.script(probe.replace("127.0.0.1:" + isolated.server().port(),
                        "127.0.0.1:" + server.server().port())), null, true);

                assertThat(Json.of(isolated.invoke("offline", "{\"job_id\":1,\"args\":[]}")).path("metadata")
                        .path("net").asText()).isEqualTo("refused");
                assertThat(Json.of(server.invoke("online", "{\"job_id\":1,\"args\":[]}")).path("metadata")
                        .path("net").asText()).isEqualTo("connected");
            }
        }
    }

    @Nested
    class AFunctionExhaustingResources {
        @Test
        void thatForksHundredsOfProcessesIsStoppedAtTheLimit() {
            // Counting and answering use shell builtins only: once the limit is reached, no fork succeeds.
            server.deploy("forker", Bootstraps.script("#!/bin/sh\ncat >/dev/null\n"
                    + "( for i in $(seq 1 300); do sleep 3031 >/dev/null 2>&1 & done ) 2>/dev/null\n"
                    + "n=0; for p in /proc/[0-9]*; do n=$((n+1)); done\n"
                    + "printf '{\"job_id\":1,\"result\":[],\"success\":true,"
                    + "\"metadata\":{\"processes\":\"%s\"}}' \"$n\"\n"),
                    null, true);

            JsonNode answer = Json.of(server.invoke("forker", "{\"job_id\":1,\"args\":[]}"));

            int processes = Integer.parseInt(answer.path("metadata").path("processes").asText());
            assertThat(processes).isGreaterThan(20).isLessThanOrEqualTo(64);
            Await.until(Duration.ofSeconds(10), "the forked processes are gone", () -> Sandboxes.processesRunning(
                    "sleep 3031") == 0);
        }

        @Test
        void thatRunsAForkBombIsContainedAndStoppedAtItsTimeout() throws Exception {
            java.util.concurrent.CompletableFuture<Outcome> bomb = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> attack("bomb", "bomb() { sleep 3041 & bomb & bomb; }; bomb\nsleep 30",
                            "{\"timeout_secs\":3}"));
            long most = 0;
            for (int i = 0; i < 20 && !bomb.isDone(); i++) {
                most = Math.max(most, Sandboxes.processesRunning("sleep 3041"));
                Thread.sleep(100);
            }

            assertThat(bomb.get().status()).isIn(500, 504);
            assertThat(most).isPositive().isLessThan(64);
            Await.until(Duration.ofSeconds(10), "the bomb is gone", () -> Sandboxes.processesRunning(
                    "sleep 3041") == 0);
        }

        @Test
        void thatFillsTmpStopsAtItsSize() {
            String report = attack("filler", "dd if=/dev/zero of=/tmp/fill bs=1M count=100 2>&1\n"
                    + "du -k /tmp/fill | cut -f1");

            assertThat(report).contains("No space left on device");
            String[] lines = report.trim().split("\n");
            assertThat(Long.parseLong(lines[lines.length - 1].trim())).isLessThanOrEqualTo(8 * 1024);
        }

        @Test
        void thatAllocatesPastItsMemoryIsKilledWithAClearErrorAndReplaced() {
            assumeTrue(Sandboxes.cgroupsUsable(), "no cgroup can be created here: memory is limited per process");
            server.deploy("hog", Bootstraps.script("#!/bin/sh\necho '{\"faasx_worker\":\"ready\",\"protocol\":1}'\n"
                    + "while IFS= read -r line; do\n  case \"$line\" in *'[9]'*) "
                    + "awk 'BEGIN{s=\"x\"; while(1) s=s s}' ;;"
                    + " esac\n  printf '%s\\n' \"$line\" | sed -e 's/\"args\"/\"result\"/' "
                    + "-e 's/}$/,\"success\":true}/'\ndone\n"),
                    "{\"worker_mode\":\"persistent\",\"memory_mb\":128}", false);

            HttpResponse<String> hog = server.invoke("hog", "{\"job_id\":1,\"args\":[9]}");
            JsonNode next = Json.of(server.invoke("hog", "{\"job_id\":2,\"args\":[1]}"));

            assertThat(hog.statusCode()).isEqualTo(500);
            assertThat(Json.of(hog).path("error").asText()).contains("ran out of memory")
                    .contains("memory_mb of 128 MiB");
            assertThat(Json.of(hog).path("memory_used_mb").asLong()).isBetween(100L, 130L);
            assertThat(next.path("success").asBoolean()).isTrue();
            assertThat(next.path("cold_start").asBoolean()).isTrue();
        }
    }
}
