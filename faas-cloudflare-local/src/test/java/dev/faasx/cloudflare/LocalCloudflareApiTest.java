package dev.faasx.cloudflare;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.cloudflare.support.Workerd;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The local API as any HTTP client sees it: Cloudflare's envelope and error codes, the exact multipart upload
 * rules, both authentication schemes, workers.dev routing and the Analytics Engine SQL subset.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalCloudflareApiTest {
    private static final String TOKEN = "local-test-token-0123456789";
    private static final String WORKER = "export default { fetch(r, env) { return new Response('hi ' + env.WHO); } };";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private LocalWorkersRuntime runtime;
    private LocalCloudflareApi api;

    @BeforeAll
    void start() {
        runtime = LocalWorkersRuntime.builder().workerdBinary(Workerd.binary()).build();
        api = LocalCloudflareApi.builder().runtime(runtime).accountId("acct0123").apiToken(TOKEN)
                .globalApiKey("dev@example.com", "global-key-0123456789").build();
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    private record Answer(int status, JsonNode body, HttpResponse<String> raw) {
        int code() {
            return body.path("errors").path(0).path("code").asInt();
        }

        String message() {
            return body.path("errors").path(0).path("message").asText();
        }
    }

    private Answer call(String method, String path, String contentType, byte[] body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.baseUrl() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode parsed = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                ? json.readTree(r.body()) : json.nullNode();
        return new Answer(r.statusCode(), parsed, r);
    }

    private Answer call(String method, String path, String contentType, byte[] body) throws Exception {
        return call(method, path, contentType, body, Map.of("Authorization", "Bearer " + TOKEN));
    }

    /** A multipart body as other clients (wrangler, curl -F) write it. */
    private static final class Multipart {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Multipart part(String disposition, String type, String content) {
            out.writeBytes(("--b0undary\r\nContent-Disposition: form-data; " + disposition + "\r\n"
                    + (type == null ? "" : "Content-Type: " + type + "\r\n") + "\r\n" + content + "\r\n")
                    .getBytes(UTF_8));
            return this;
        }

        Multipart metadata(String jsonText) {
            return part("name=\"metadata\"; filename=\"blob\"", "application/json", jsonText);
        }

        Multipart module(String name, String type, String content) {
            return part("name=\"" + name + "\"; filename=\"" + name + "\"", type, content);
        }

        byte[] bytes() {
            out.writeBytes("--b0undary--\r\n".getBytes(UTF_8));
            return out.toByteArray();
        }
    }

    private static final String MULTIPART = "multipart/form-data; boundary=b0undary";
    private static final String SCRIPTS = "/accounts/acct0123/workers/scripts/";

    private Answer upload(String name, byte[] body) throws Exception {
        return call("PUT", SCRIPTS + name, MULTIPART, body);
    }

    private byte[] validUpload(String who) {
        return new Multipart()
                .metadata("{\"main_module\":\"worker.js\",\"compatibility_date\":\"2025-09-01\",\"bindings\":["
                        + "{\"type\":\"plain_text\",\"name\":\"WHO\",\"text\":\"" + who + "\"},"
                        + "{\"type\":\"secret_text\",\"name\":\"TOKEN\",\"text\":\"do-not-show\"}]}")
                .module("worker.js", "application/javascript+module", WORKER).bytes();
    }

    @Nested
    class Uploads {
        @Test
        void acceptsAnUploadAndAnswersInCloudflaresEnvelope() throws Exception {
            Answer a = upload("accepted", validUpload("world"));

            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body().path("success").asBoolean()).isTrue();
            assertThat(a.body().path("errors")).isEmpty();
            assertThat(a.body().path("result").path("id").asText()).isEqualTo("accepted");
            assertThat(a.body().path("result").path("etag").asText()).hasSize(64);
            assertThat(a.body().path("result").path("startup_time_ms").asLong()).isPositive();
        }

        @Test
        void refusesAnUploadWithoutMetadata() throws Exception {
            Answer a = upload("no-metadata", new Multipart()
                    .module("worker.js", "application/javascript+module", WORKER).bytes());

            assertThat(a.status()).isEqualTo(400);
            assertThat(a.body().path("success").asBoolean()).isFalse();
            assertThat(a.code()).isEqualTo(10026);
            assertThat(a.message()).contains("no 'metadata' part");
        }

        @Test
        void refusesAMainModuleThatIsNotAmongTheParts() throws Exception {
            Answer a = upload("wrong-main", new Multipart().metadata("{\"main_module\":\"index.js\"}")
                    .module("worker.js", "application/javascript+module", WORKER).bytes());

            assertThat(a.status()).isEqualTo(400);
            assertThat(a.code()).isEqualTo(10021);
            assertThat(a.message()).contains("No such module \"index.js\"").contains("[worker.js]");
        }

        @Test
        void refusesAnUnknownContentType() throws Exception {
            Answer a = upload("odd-type", new Multipart().metadata("{\"main_module\":\"worker.js\"}")
                    .module("worker.js", "application/javascript+module", WORKER)
                    .module("data.bin", "application/x-faasx-unknown", "x").bytes());

            assertThat(a.code()).isEqualTo(10021);
            assertThat(a.message()).contains("unknown content type 'application/x-faasx-unknown'")
                    .contains("data.bin");
        }

        @Test
        void refusesAModuleWithoutContentTypeAndCommonJsModules() throws Exception {
            Answer untyped = upload("untyped", new Multipart().metadata("{\"main_module\":\"worker.js\"}")
                    .module("worker.js", null, WORKER).bytes());
            Answer commonJs = upload("commonjs", new Multipart().metadata("{\"main_module\":\"worker.js\"}")
                    .module("worker.js", "application/javascript", WORKER).bytes());

            assertThat(untyped.code()).isEqualTo(10021);
            assertThat(untyped.message()).contains("has no Content-Type");
            assertThat(commonJs.code()).isEqualTo(10021);
            assertThat(commonJs.message()).contains("CommonJS modules");
        }

        @Test
        void refusesABodyThatIsNotMultipartAndABindingWithoutName() throws Exception {
            Answer plain = call("PUT", SCRIPTS + "plain", "application/javascript", WORKER.getBytes(UTF_8));
            Answer nameless = upload("nameless", new Multipart()
                    .metadata("{\"main_module\":\"worker.js\",\"bindings\":[{\"type\":\"plain_text\",\"text\":\"x\"}]}")
                    .module("worker.js", "application/javascript+module", WORKER).bytes());

            assertThat(plain.code()).isEqualTo(10026);
            assertThat(nameless.code()).isEqualTo(10052);
        }

        @Test
        void refusesAnInvalidScriptName() throws Exception {
            Answer a = upload("Not_Valid!", validUpload("x"));

            assertThat(a.status()).isEqualTo(400);
            assertThat(a.code()).isEqualTo(10016);
        }

        @Test
        void reportsWhatWorkerdSaysAboutAWorkerThatDoesNotLoad() throws Exception {
            Answer a = upload("throws", new Multipart().metadata("{\"main_module\":\"worker.js\"}")
                    .module("worker.js", "application/javascript+module", "throw new Error('missing config');")
                    .bytes());

            assertThat(a.code()).isEqualTo(10021);
            assertThat(a.message()).contains("missing config");
        }
    }

    @Nested
    class Authentication {
        private final byte[] none = null;

        @Test
        void acceptsABearerTokenAndAGlobalApiKey() throws Exception {
            assertThat(call("GET", "/accounts/acct0123/workers/subdomain", null, none).status()).isEqualTo(200);
            assertThat(call("GET", "/accounts/acct0123/workers/subdomain", null, none,
                    Map.of("X-Auth-Email", "dev@example.com", "X-Auth-Key", "global-key-0123456789")).status())
                    .isEqualTo(200);
        }

        @Test
        void refusesMissingHalfGivenAndWrongCredentials() throws Exception {
            String path = "/accounts/acct0123/workers/subdomain";
            Answer missing = call("GET", path, null, none, Map.of());
            Answer halfGiven = call("GET", path, null, none, Map.of("X-Auth-Email", "dev@example.com"));
            Answer wrongToken = call("GET", path, null, none, Map.of("Authorization", "Bearer nope"));
            Answer wrongKey = call("GET", path, null, none,
                    Map.of("X-Auth-Email", "dev@example.com", "X-Auth-Key", "not-the-key"));

            assertThat(missing.status()).isEqualTo(400);
            assertThat(missing.code()).isEqualTo(9106);
            assertThat(halfGiven.code()).isEqualTo(9106);
            assertThat(halfGiven.message()).contains("X-Auth-Key");
            assertThat(wrongToken.status()).isEqualTo(403);
            assertThat(wrongToken.code()).isEqualTo(10000);
            assertThat(wrongKey.status()).isEqualTo(403);
            assertThat(wrongKey.code()).isEqualTo(9103);
        }

        @Test
        void refusesAnotherAccount() throws Exception {
            Answer a = call("GET", "/accounts/someone-else/workers/subdomain", null, none);

            assertThat(a.status()).isEqualTo(403);
            assertThat(a.code()).isEqualTo(10000);
        }
    }

    @Nested
    class ScriptsAndRoutes {
        @Test
        void reportsUnknownScriptsRoutesAndMethodsWithCloudflaresCodes() throws Exception {
            Answer missing = call("GET", SCRIPTS + "never-uploaded/settings", null, null);
            Answer route = call("GET", "/accounts/acct0123/workers/nowhere", null, null);
            Answer method = call("PATCH", SCRIPTS + "never-uploaded/settings", "application/json", "{}".getBytes(UTF_8));

            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.code()).isEqualTo(10007);
            assertThat(route.code()).isEqualTo(7003);
            assertThat(method.status()).isEqualTo(405);
        }

        @Test
        void showsSettingsWithoutSecretValues() throws Exception {
            upload("with-secret", validUpload("settings"));

            JsonNode settings = call("GET", SCRIPTS + "with-secret/settings", null, null).body().path("result");

            assertThat(settings.path("compatibility_date").asText()).isEqualTo("2025-09-01");
            assertThat(settings.path("bindings").toString()).contains("\"text\":\"settings\"")
                    .contains("\"type\":\"secret_text\"").doesNotContain("do-not-show");
        }

        @Test
        void servesAWorkerOnlyOnceItIsEnabledOnWorkersDev() throws Exception {
            upload("routed", validUpload("routed"));
            URI url = api.workerUrl("routed");
            assertThat(http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(404);

            Answer enabled = call("POST", SCRIPTS + "routed/subdomain", "application/json",
                    "{\"enabled\":true}".getBytes(UTF_8));

            assertThat(enabled.body().path("result").path("enabled").asBoolean()).isTrue();
            assertThat(call("GET", SCRIPTS + "routed/subdomain", null, null).body().path("result").path("enabled")
                    .asBoolean()).isTrue();
            assertThat(http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .isEqualTo("hi routed");
        }

        @Test
        void routesByTheWorkersDevHostName() throws Exception {
            upload("by-host", validUpload("host"));
            call("POST", SCRIPTS + "by-host/subdomain", "application/json", "{\"enabled\":true}".getBytes(UTF_8));

            // The JDK client cannot set Host; speak HTTP/1.1 on a socket, as a proxy in front would.
            try (Socket socket = new Socket("127.0.0.1", api.port())) {
                socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: by-host.local.workers.dev\r\n"
                        + "Connection: close\r\n\r\n").getBytes(UTF_8));
                String answer = new String(socket.getInputStream().readAllBytes(), UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 200").endsWith("hi host");
            }
        }

        @Test
        void deleteRemovesTheScriptAndItsRoute() throws Exception {
            upload("doomed", validUpload("doomed"));
            call("POST", SCRIPTS + "doomed/subdomain", "application/json", "{\"enabled\":true}".getBytes(UTF_8));

            assertThat(call("DELETE", SCRIPTS + "doomed", null, null).status()).isEqualTo(200);

            assertThat(call("DELETE", SCRIPTS + "doomed", null, null).code()).isEqualTo(10007);
            assertThat(runtime.worker("doomed")).isEmpty();
            assertThat(http.send(HttpRequest.newBuilder(api.workerUrl("doomed")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        }
    }

    @Nested
    class AnalyticsEngineSql {
        @Test
        void queriesTheDataPointsWorkersWrote() throws Exception {
            upload("writer", new Multipart()
                    .metadata("{\"main_module\":\"w.js\",\"bindings\":[{\"type\":\"analytics_engine\","
                            + "\"name\":\"AE\",\"dataset\":\"api_test\"}]}")
                    .module("w.js", "application/javascript+module", """
                            export default { fetch(request, env) {
                              const kind = new URL(request.url).searchParams.get("kind");
                              env.AE.writeDataPoint({ indexes: [kind + Math.random()], blobs: [kind], doubles: [2.5] });
                              return new Response("ok");
                            } };""").bytes());
            call("POST", SCRIPTS + "writer/subdomain", "application/json", "{\"enabled\":true}".getBytes(UTF_8));
            for (String kind : new String[] {"a", "a", "b"}) {
                http.send(HttpRequest.newBuilder(URI.create(api.workerUrl("writer") + "?kind=" + kind)).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> runtime.dataPoints().stream()
                    .filter(p -> p.dataset().equals("api_test")).count() == 3);

            Answer grouped = sql("SELECT blob1 AS kind, SUM(_sample_interval) AS n, SUM(double1) AS total "
                    + "FROM api_test WHERE timestamp > NOW() - INTERVAL '1' HOUR AND blob1 IN ('a', 'b') "
                    + "GROUP BY kind ORDER BY kind");
            Answer tables = sql("SHOW TABLES");

            assertThat(grouped.status()).isEqualTo(200);
            assertThat(grouped.body().path("rows").asInt()).isEqualTo(2);
            assertThat(grouped.body().path("meta").toString()).contains("{\"name\":\"n\",\"type\":\"UInt64\"}");
            assertThat(grouped.body().path("data").toString())
                    .isEqualTo("[{\"kind\":\"a\",\"n\":\"2\",\"total\":5.0},{\"kind\":\"b\",\"n\":\"1\",\"total\":2.5}]");
            assertThat(tables.body().path("data").toString()).contains("{\"dataset\":\"api_test\"}");
        }

        @Test
        void answersQueriesOutsideTheSubsetWithAnError() throws Exception {
            Answer a = sql("SELECT quantileExactWeighted(0.5)(double1, _sample_interval) FROM api_test");

            assertThat(a.status()).isEqualTo(400);
            assertThat(a.raw().body()).startsWith("error:");
        }

        @Test
        void acceptsOnlyApiTokensAsTheSqlApiIsDocumented() throws Exception {
            Answer withKey = call("POST", "/accounts/acct0123/analytics_engine/sql", "text/plain",
                    "SHOW TABLES".getBytes(UTF_8), Map.of("X-Auth-Email", "dev@example.com",
                            "X-Auth-Key", "global-key-0123456789"));

            assertThat(withKey.status()).isEqualTo(403);
            assertThat(withKey.message()).contains("only API tokens");
            assertThat(sql("SHOW TABLES").status()).isEqualTo(200);
        }

        private Answer sql(String query) throws Exception {
            return call("POST", "/accounts/acct0123/analytics_engine/sql", "text/plain", query.getBytes(UTF_8));
        }
    }

    @Nested
    class LimitsAndKeptBindings {
        @Test
        void keepsAndReportsTheCpuLimit() throws Exception {
            Answer up = upload("limited", new Multipart()
                    .metadata("{\"main_module\":\"w.js\",\"limits\":{\"cpu_ms\":50}}")
                    .module("w.js", "application/javascript+module", WORKER).bytes());
            Answer settings = call("GET", SCRIPTS + "limited/settings", null, null);
            Answer tooMuch = upload("limited", new Multipart()
                    .metadata("{\"main_module\":\"w.js\",\"limits\":{\"cpu_ms\":300001}}")
                    .module("w.js", "application/javascript+module", WORKER).bytes());

            assertThat(up.status()).isEqualTo(200);
            assertThat(settings.body().path("result").path("limits").path("cpu_ms").asLong()).isEqualTo(50);
            assertThat(tooMuch.status()).isEqualTo(400);
            assertThat(tooMuch.message()).contains("cpu_ms");
        }

        @Test
        void keepBindingsKeepsBindingsOfTheNamedTypesThatTheUploadDoesNotName() throws Exception {
            upload("kept", validUpload("first"));
            Answer redeploy = upload("kept", new Multipart()
                    .metadata("{\"main_module\":\"worker.js\",\"keep_bindings\":[\"secret_text\"],\"bindings\":["
                            + "{\"type\":\"plain_text\",\"name\":\"WHO\",\"text\":\"second\"}]}")
                    .module("worker.js", "application/javascript+module",
                            "export default { fetch(r, env) { return new Response(env.WHO + '/' + env.TOKEN); } };")
                    .bytes());
            call("POST", SCRIPTS + "kept/subdomain", "application/json", "{\"enabled\":true}".getBytes(UTF_8));
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(api.workerUrl("kept")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Answer settings = call("GET", SCRIPTS + "kept/settings", null, null);

            assertThat(redeploy.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("second/do-not-show");
            assertThat(settings.body().path("result").path("bindings").toString())
                    .contains("{\"name\":\"TOKEN\",\"type\":\"secret_text\"}").doesNotContain("do-not-show");
        }

        @Test
        void measuresTheFreePlansSizeLimitAfterCompression() throws Exception {
            try (LocalCloudflareApi free = LocalCloudflareApi.builder().runtime(runtime).accountId("acct0123")
                    .apiToken(TOKEN).plan(LocalCloudflareApi.Plan.FREE).build()) {
                byte[] noise = new byte[3 * 1024 * 1024];
                new java.util.Random(1).nextBytes(noise);
                String tooBig = "export default { fetch() { return new Response('"
                        + java.util.Base64.getEncoder().encodeToString(noise) + "'); } };";
                String compressible = "export default { fetch() { return new Response('"
                        + "a".repeat(4 * 1024 * 1024) + "'); } };";
                HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create(free.baseUrl()
                                + "/accounts/acct0123/workers/scripts/big"))
                        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", MULTIPART)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new Multipart()
                                .metadata("{\"main_module\":\"w.js\"}")
                                .module("w.js", "application/javascript+module", tooBig).bytes())).build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> small = http.send(HttpRequest.newBuilder(URI.create(free.baseUrl()
                                + "/accounts/acct0123/workers/scripts/small"))
                        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", MULTIPART)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new Multipart()
                                .metadata("{\"main_module\":\"w.js\"}")
                                .module("w.js", "application/javascript+module", compressible).bytes())).build(),
                        HttpResponse.BodyHandlers.ofString());

                assertThat(big.statusCode()).isEqualTo(400);
                assertThat(json.readTree(big.body()).path("errors").path(0).path("code").asInt()).isEqualTo(10027);
                assertThat(small.statusCode()).isEqualTo(200);
            }
        }
    }
}
