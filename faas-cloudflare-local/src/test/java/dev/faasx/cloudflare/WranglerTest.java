package dev.faasx.cloudflare;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.cloudflare.support.TestModules;
import dev.faasx.cloudflare.support.Wrangler;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cloudflare's own CLI, Wrangler (pinned in the pom, installed with npm), pointed at the local API with
 * {@code CLOUDFLARE_API_BASE_URL}: deploy (first and again) a Worker with JavaScript and WebAssembly modules, a var, a
 * KV namespace, a D1 database and a Durable Object class; put, list and delete a secret; list versions and
 * deployments; delete the Worker. Each step is checked on the running Worker. Skipped without npm or Node.js 20.3+.
 * The steps build on each other and share one API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WranglerTest {
    @RegisterExtension
    static final LocalCloudflareExtension CLOUDFLARE = LocalCloudflareExtension.create();

    private static final String WORKER = """
            import addModule from "./add.wasm";
            import { DurableObject } from "cloudflare:workers";
            const add = new WebAssembly.Instance(addModule, {}).exports.add;
            export class Counter extends DurableObject {
              async fetch() {
                const n = (await this.ctx.storage.get("n") ?? 0) + 1;
                await this.ctx.storage.put("n", n);
                return new Response(String(n));
              }
            }
            export default {
              async fetch(request, env) {
                const kv = Number(await env.COUNTS.get("n") ?? "0") + 1;
                await env.COUNTS.put("n", String(kv));
                await env.DB.prepare("CREATE TABLE IF NOT EXISTS hits (n INTEGER)").run();
                await env.DB.prepare("INSERT INTO hits VALUES (?)").bind(kv).run();
                const d1 = (await env.DB.prepare("SELECT COUNT(*) AS c FROM hits").first()).c;
                const stub = env.COUNTER.get(env.COUNTER.idFromName("one"));
                const object = await (await stub.fetch("https://counter/")).text();
                return new Response(`${env.GREETING} ${VERSION} add=${add(2, 3)} kv=${kv} d1=${d1} do=${object} `
                    + `secret=${env.TOKEN ?? "none"}`);
              }
            };
            """;
    private static final String CONFIG = """
            name = "wrangler-app"
            main = "src/index.js"
            compatibility_date = "2025-09-01"

            [vars]
            GREETING = "hello"

            [[kv_namespaces]]
            binding = "COUNTS"
            id = "wrangler-test-kv"

            [[d1_databases]]
            binding = "DB"
            database_name = "hits"
            database_id = "wrangler-test-d1"

            [[durable_objects.bindings]]
            name = "COUNTER"
            class_name = "Counter"

            [[migrations]]
            tag = "v1"
            new_sqlite_classes = ["Counter"]
            """;

    private Path project;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Map<String, String> env;

    @BeforeAll
    void setUp() throws Exception {
        Wrangler.cliOrSkip();
        project = Files.createTempDirectory("faasx-wrangler-project");
        env = new HashMap<>(CLOUDFLARE.api().environment());
        env.put("WRANGLER_SEND_METRICS", "false");
        env.put("CI", "true");
        env.put("NO_COLOR", "1");
    }

    @AfterAll
    void removeProject() throws Exception {
        if (project != null) {
            try (java.util.stream.Stream<Path> paths = Files.walk(project)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void write(String version) throws Exception {
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("wrangler.toml"), CONFIG);
        Files.writeString(project.resolve("src/index.js"), "const VERSION = \"" + version + "\";\n" + WORKER);
        Files.write(project.resolve("src/add.wasm"), TestModules.addWasm());
    }

    private String wrangler(String... args) throws Exception {
        Wrangler.Result r = Wrangler.run(project, env, 120, args);
        assertThat(r.exit()).as("wrangler %s said:%n%s", String.join(" ", args), r.output()).isZero();
        return r.output();
    }

    private HttpResponse<String> call() throws Exception {
        return http.send(HttpRequest.newBuilder(CLOUDFLARE.api().workerUrl("wrangler-app")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode jsonOf(String output) throws Exception {
        return json.readTree(output.substring(output.indexOf('[')));
    }

    @Test
    @Order(1)
    void deploysAWorkerWithWasmVarsAndBindings() throws Exception {
        write("v1");

        String out = wrangler("deploy");

        assertThat(out).contains("Deployed wrangler-app");
        assertThat(call().body()).isEqualTo("hello v1 add=5 kv=1 d1=1 do=1 secret=none");
    }

    @Test
    @Order(2)
    void putsAndListsASecretThatARedeployKeeps() throws Exception {
        // without a terminal, wrangler reads the value from standard input
        Wrangler.Result put = Wrangler.runWithInput(project, env, 120, "t0ps3cret\n", "secret", "put", "TOKEN");
        assertThat(put.exit()).as("wrangler secret put said:%n%s", put.output()).isZero();
        write("v2");
        wrangler("deploy");

        JsonNode secrets = jsonOf(wrangler("secret", "list", "--format", "json"));
        assertThat(secrets.toString()).contains("\"name\":\"TOKEN\"").doesNotContain("t0ps3cret");
        assertThat(call().body()).isEqualTo("hello v2 add=5 kv=2 d1=2 do=2 secret=t0ps3cret");
    }

    @Test
    @Order(3)
    void listsVersionsAndDeployments() throws Exception {
        JsonNode versions = jsonOf(wrangler("versions", "list", "--json"));
        JsonNode deployments = jsonOf(wrangler("deployments", "list", "--json"));

        assertThat(versions.size()).isGreaterThanOrEqualTo(3);
        assertThat(deployments.size()).isEqualTo(versions.size());
        String newest = deployments.get(deployments.size() - 1).path("versions").path(0).path("version_id").asText();
        assertThat(versions.findValuesAsText("id")).contains(newest);
    }

    @Test
    @Order(4)
    void deletesTheSecretAndTheWorker() throws Exception {
        wrangler("secret", "delete", "TOKEN");
        assertThat(call().body()).endsWith("secret=none");

        assertThat(wrangler("delete")).contains("Successfully deleted wrangler-app");
        assertThat(call().statusCode()).isEqualTo(404);
    }
}
