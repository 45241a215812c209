package dev.faasx.cloudflare;

import static dev.faasx.cloudflare.CloudflareWorkersExecutorTest.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.cloudflare.support.LocalCloudflare;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.JobCall;
import dev.faasx.core.WorkerModule;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workers that use Cloudflare's bindings, deployed through the executor to the local API and running on real
 * workerd: secrets, a KV counter, a D1 table and a Durable Object that relays WebSocket messages between two clients.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerBindingsTest {
    @RegisterExtension
    static final LocalCloudflareExtension CLOUDFLARE = LocalCloudflareExtension.create();

    private static final String SECRET = "bindings-test-invocation-secret";
    private static final FaasConfig BASE = FaasConfig.builder().timeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    private CloudflareWorkersExecutor executor;

    @BeforeAll
    void start() {
        executor = LocalCloudflare.executor(CLOUDFLARE.api()).invocationSecret(SECRET).build();
    }

    @AfterAll
    void stop() {
        if (executor != null) {
            executor.close();
        }
    }

    private static FunctionPackage.WorkerModules job(String source) {
        return FunctionPackage.workerModules("job.js", List.of(WorkerModule.esModule("job.js", source)));
    }

    private String call(long jobId, String body) {
        return new String(await(executor.invoke(JobCall.of(jobId, body.getBytes(UTF_8)))).body(), UTF_8);
    }

    private JsonNode settings(String script) throws Exception {
        LocalCloudflareApi api = CLOUDFLARE.api();
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.baseUrl()
                        + "/accounts/" + api.accountId() + "/workers/scripts/" + script + "/settings"))
                .header("Authorization", "Bearer " + api.apiToken().orElseThrow()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return json.readTree(r.body()).path("result");
    }

    @Nested
    class Secrets {
        @Test
        void deploysEnvironmentVariablesMarkedSecretAsSecretsTheWorkerCanRead() throws Exception {
            FaasConfig config = BASE.toBuilder().envVar("API_KEY", "s3cr3t-value").envVar("REGION", "eu")
                    .providerOption("cloudflare.secrets", "API_KEY").build();
            await(executor.deploy(401, job("export default { job(call, env) { return env.API_KEY + '/' + env.REGION; }"
                    + " };"), config));

            assertThat(call(401, "")).isEqualTo("s3cr3t-value/eu");
            JsonNode apiKey = null;
            for (JsonNode b : settings("faasx-job-401").path("bindings")) {
                if (b.path("name").asText().equals("API_KEY")) {
                    apiKey = b;
                }
            }
            assertThat(apiKey).isNotNull();
            assertThat(apiKey.path("type").asText()).isEqualTo("secret_text");
            assertThat(apiKey.has("text")).isFalse();
            await(executor.undeploy(401));
        }

        @Test
        void refusesASecretThatIsNotAnEnvironmentVariable() {
            FaasConfig config = BASE.toBuilder().providerOption("cloudflare.secrets", "MISSING").build();
            assertThatThrownBy(() -> await(executor.deploy(402, job("export default { job() {} };"), config)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("MISSING");
        }
    }

    @Nested
    class KvNamespaces {
        private static final String COUNTER = """
                export default { async job(call, env) {
                  const n = Number(await env.COUNTS.get("n") ?? "0") + 1;
                  await env.COUNTS.put("n", String(n));
                  return String(n);
                } };""";

        @Test
        void countsInKvAndKeepsTheCountAcrossARedeploy() {
            FaasConfig config = BASE.toBuilder().providerOption("cloudflare.kv.COUNTS", "counter-ns").build();
            await(executor.deploy(410, job(COUNTER), config));

            assertThat(List.of(call(410, ""), call(410, ""), call(410, ""))).containsExactly("1", "2", "3");

            await(executor.deploy(410, job(COUNTER), config));
            assertThat(call(410, "")).isEqualTo("4");
            await(executor.undeploy(410));
        }

        @Test
        void keepBindingsKeepsABindingTheNewVersionDoesNotName() {
            await(executor.deploy(411, job(COUNTER), BASE.toBuilder()
                    .providerOption("cloudflare.kv.COUNTS", "kept-ns").build()));
            assertThat(call(411, "")).isEqualTo("1");

            await(executor.deploy(411, job(COUNTER), BASE.toBuilder()
                    .providerOption("cloudflare.keep_bindings", "kv_namespace").build()));

            assertThat(call(411, "")).isEqualTo("2");
            await(executor.undeploy(411));
        }
    }

    @Nested
    class D1Databases {
        @Test
        void keepsRowsInATable() throws Exception {
            String source = """
                    export default { async job(call, env) {
                      await env.DB.prepare("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)").run();
                      await env.DB.prepare("INSERT INTO notes (text) VALUES (?)")
                          .bind(new TextDecoder().decode(call.body)).run();
                      const { results } = await env.DB.prepare("SELECT id, text FROM notes ORDER BY id").all();
                      return JSON.stringify(results);
                    } };""";
            await(executor.deploy(420, job(source), BASE.toBuilder()
                    .providerOption("cloudflare.d1.DB", "notes-db").build()));

            call(420, "first");
            JsonNode rows = json.readTree(call(420, "second"));

            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).path("text").asText()).isEqualTo("first");
            assertThat(rows.get(1).path("text").asText()).isEqualTo("second");
            assertThat(rows.get(1).path("id").asInt()).isEqualTo(2);
            await(executor.undeploy(420));
        }
    }

    @Nested
    class DurableObjects {
        @Test
        void relaysWebSocketMessagesBetweenTwoClientsThroughADurableObject() throws Exception {
            String source = """
                    import { DurableObject } from "cloudflare:workers";
                    export class Room extends DurableObject {
                      async fetch(request) {
                        const [client, server] = Object.values(new WebSocketPair());
                        this.ctx.acceptWebSocket(server);
                        return new Response(null, { status: 101, webSocket: client });
                      }
                      async webSocketMessage(ws, message) {
                        for (const other of this.ctx.getWebSockets()) {
                          if (other !== ws) other.send(message);
                        }
                      }
                    }
                    export default {
                      fetch(request, env) {
                        return env.ROOM.get(env.ROOM.idFromName("lobby")).fetch(request);
                      },
                    };""";
            await(executor.deploy(430, FunctionPackage.workerModules("room.js",
                    List.of(WorkerModule.esModule("room.js", source))), BASE.toBuilder()
                    .providerOption("cloudflare.durable_object.ROOM", "Room").build()));
            URI worker = CLOUDFLARE.runtime().worker("faasx-job-430").orElseThrow().url();
            URI ws = URI.create("ws://" + worker.getRawAuthority() + "/room");
            HttpClient client = HttpClient.newHttpClient();
            Inbox aliceInbox = new Inbox();
            Inbox bobInbox = new Inbox();
            WebSocket alice = client.newWebSocketBuilder().header("x-faasx-secret", SECRET)
                    .buildAsync(ws, aliceInbox).get(10, TimeUnit.SECONDS);
            WebSocket bob = client.newWebSocketBuilder().header("x-faasx-secret", SECRET)
                    .buildAsync(ws, bobInbox).get(10, TimeUnit.SECONDS);

            alice.sendText("hello bob", true).get(5, TimeUnit.SECONDS);
            assertThat(bobInbox.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("hello bob");
            bob.sendText("hi alice", true).get(5, TimeUnit.SECONDS);
            assertThat(aliceInbox.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("hi alice");
            // a sender does not hear its own message
            assertThat(aliceInbox.messages).isEmpty();

            alice.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            bob.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            await(executor.undeploy(430));
        }

        @Test
        void refusesAWebSocketWithoutTheInvocationSecret() throws Exception {
            await(executor.deploy(431, job("export default { fetch() { return new Response('open'); } };"), BASE));
            URI worker = CLOUDFLARE.runtime().worker("faasx-job-431").orElseThrow().url();
            CompletableFuture<WebSocket> anonymous = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://" + worker.getRawAuthority() + "/"), new Inbox());

            assertThatThrownBy(() -> anonymous.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((java.net.http.WebSocketHandshakeException) e.getCause())
                            .getResponse().statusCode()).isEqualTo(401));
            await(executor.undeploy(431));
        }
    }

    private static final class Inbox implements WebSocket.Listener {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
