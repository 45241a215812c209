package dev.faasx.azure.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The emulator driven over plain HTTP, as any client would: Resource Manager's shapes and errors, Kudu's zip deploy
 * and deployment records, and the Functions host running a real custom handler (a small Python web server that
 * reports what the host sent it), with function keys enforced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("LocalAzure")
class LocalAzureTest {
    private static final String SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
    private static final String HANDLER = """
            import json, os, http.server
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.end_headers()
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    seen = {"path": self.path, "invocation": self.headers.get("X-Azure-Functions-InvocationId"),
                            "envelope": json.loads(body), "port": os.environ["FUNCTIONS_CUSTOMHANDLER_PORT"],
                            "setting": os.environ.get("MY_SETTING")}
                    out = json.dumps({"Outputs": {"res": {"statusCode": 201, "body": json.dumps(seen),
                                      "headers": {"X-Test": "yes"}}}, "Logs": ["hi"], "ReturnValue": None}).encode()
                    self.send_response(200); self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
                def log_message(self, *args):
                    pass
            http.server.HTTPServer(("127.0.0.1", int(os.environ["FUNCTIONS_CUSTOMHANDLER_PORT"])), H).serve_forever()
            """;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final LocalAzure azure = LocalAzure.builder().handlerStartTimeout(Duration.ofSeconds(15)).build().start();
    private final String app = "local-test-app";

    @BeforeAll
    void createApp() throws Exception {
        assertThat(arm("PUT", SUB + "/resourcegroups/rg", "{\"location\":\"westeurope\"}").statusCode())
                .isEqualTo(201);
        assertThat(arm("PUT", SUB + "/resourceGroups/rg/providers/Microsoft.Web/sites/" + app,
                "{\"location\":\"westeurope\",\"kind\":\"functionapp,linux\",\"properties\":{\"siteConfig\":"
                        + "{\"appSettings\":[{\"name\":\"MY_SETTING\",\"value\":\"v1\"}]}}}").statusCode())
                .isEqualTo(200);
    }

    @AfterAll
    void stop() {
        azure.close();
    }

    private HttpResponse<byte[]> send(String method, String host, String path, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(azure.endpoint() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("X-Forwarded-Host", host);
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> arm(String method, String path, String body) throws Exception {
        return send(method, "management.azure.com", path + "?api-version=2024-04-01",
                body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", "Bearer token", "Content-Type", "application/json"));
    }

    private JsonNode jsonOf(HttpResponse<byte[]> response) throws IOException {
        return json.readTree(response.body());
    }

    private HttpResponse<byte[]> zipDeploy(byte[] zip) throws Exception {
        return send("POST", app + ".scm.azurewebsites.net", "/api/zipdeploy?isAsync=true", zip,
                Map.of("Authorization", "Bearer token"));
    }

    private JsonNode latestDeployment() throws Exception {
        return jsonOf(send("GET", app + ".scm.azurewebsites.net", "/api/deployments/latest", null,
                Map.of("Authorization", "Bearer token")));
    }

    private static byte[] zip(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> e : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static Map<String, String> pythonApp() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("host.json", "{\"version\":\"2.0\",\"customHandler\":{\"description\":{\"defaultExecutablePath\":"
                + "\"python3\",\"arguments\":[\"handler.py\"]}}}");
        files.put("job/function.json", "{\"bindings\":[{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":"
                + "\"req\",\"authLevel\":\"function\",\"methods\":[\"post\"]},{\"type\":\"http\",\"direction\":"
                + "\"out\",\"name\":\"res\"}]}");
        files.put("handler.py", HANDLER);
        return files;
    }

    @Nested
    @DisplayName("Resource Manager")
    class ResourceManager {
        @Test
        @DisplayName("refuses a request without a bearer token with ARM's error shape")
        void needsToken() throws Exception {
            HttpResponse<byte[]> response = send("GET", "management.azure.com", SUB + "/resourcegroups/rg", null,
                    Map.of());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(jsonOf(response).path("error").path("code").asText()).isEqualTo("AuthenticationFailed");
        }

        @Test
        @DisplayName("answers a missing site and a missing group with 404 and their codes")
        void notFound() throws Exception {
            HttpResponse<byte[]> site = arm("GET", SUB + "/resourceGroups/rg/providers/Microsoft.Web/sites/nope", null);
            assertThat(site.statusCode()).isEqualTo(404);
            assertThat(jsonOf(site).path("error").path("code").asText()).isEqualTo("ResourceNotFound");
            assertThat(jsonOf(site).path("error").path("message").asText()).contains("nope");
            HttpResponse<byte[]> group = arm("GET", SUB + "/resourceGroups/other", null);
            assertThat(jsonOf(group).path("error").path("code").asText()).isEqualTo("ResourceGroupNotFound");
        }

        @Test
        @DisplayName("keeps app settings and describes the site with its host names")
        void settingsAndSite() throws Exception {
            JsonNode settings = jsonOf(arm("POST", SUB + "/resourceGroups/rg/providers/Microsoft.Web/sites/" + app
                    + "/config/appsettings/list", null));
            assertThat(settings.path("properties").path("MY_SETTING").asText()).isEqualTo("v1");
            JsonNode site = jsonOf(arm("GET", SUB + "/resourceGroups/rg/providers/Microsoft.Web/sites/" + app, null));
            assertThat(site.path("properties").path("defaultHostName").asText())
                    .isEqualTo(app + ".azurewebsites.net");
            assertThat(site.path("properties").path("state").asText()).isEqualTo("Running");
        }

        @Test
        @DisplayName("refuses an invalid site name with 400")
        void invalidName() throws Exception {
            HttpResponse<byte[]> response = arm("PUT", SUB + "/resourceGroups/rg/providers/Microsoft.Web/sites/-bad-",
                    "{}");
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(jsonOf(response).path("error").path("code").asText()).isEqualTo("InvalidResourceName");
        }
    }

    @Nested
    @DisplayName("Kudu")
    class Kudu {
        @Test
        @DisplayName("records a zip without host.json as a failed deployment with the reason")
        void failsWithoutHostJson() throws Exception {
            HttpResponse<byte[]> response = zipDeploy(zip(Map.of("readme.txt", "hi")));
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.headers().firstValue("Location")).get().asString().contains("/api/deployments/");
            JsonNode latest = latestDeployment();
            assertThat(latest.path("status").asInt()).isEqualTo(3);
            assertThat(latest.path("complete").asBoolean()).isTrue();
            assertThat(latest.path("message").asText()).contains("host.json");
        }

        @Test
        @DisplayName("refuses a zip entry that climbs out of the app's folder")
        void refusesTraversal() throws Exception {
            zipDeploy(zip(Map.of("../evil.txt", "x")));
            JsonNode latest = latestDeployment();
            assertThat(latest.path("status").asInt()).isEqualTo(3);
            assertThat(latest.path("message").asText()).contains("'../evil.txt' contains a '..' segment");
            assertThat(Files.exists(azure.dataDirectory().resolve("sites").resolve("evil.txt"))).isFalse();
        }

        @Test
        @DisplayName("asks for credentials")
        void needsCredentials() throws Exception {
            assertThat(send("GET", app + ".scm.azurewebsites.net", "/api/deployments", null, Map.of()).statusCode())
                    .isEqualTo(401);
        }
    }

    @Nested
    @DisplayName("the Functions host")
    class FunctionsHost {
        @Test
        @DisplayName("runs the deployed custom handler and forwards calls in the host's shapes, enforcing keys")
        void forwardsWithKeys() throws Exception {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
            assertThat(zipDeploy(zip(pythonApp())).statusCode()).isEqualTo(202);
            assertThat(latestDeployment().path("status").asInt()).isEqualTo(4);
            String functionKey = jsonOf(arm("POST", SUB + "/resourceGroups/rg/providers/Microsoft.Web/sites/" + app
                    + "/functions/job/listkeys", null)).path("default").asText();
            assertThat(functionKey).isNotBlank();
            String host = app + ".azurewebsites.net";
            byte[] body = "{\"job_id\":1}".getBytes(StandardCharsets.UTF_8);

            assertThat(send("POST", host, "/api/job", body, Map.of()).statusCode()).isEqualTo(401);
            assertThat(send("POST", host, "/api/job", body, Map.of("x-functions-key", "wrong")).statusCode())
                    .isEqualTo(401);
            assertThat(send("POST", host, "/api/nothing", body, Map.of("x-functions-key", functionKey)).statusCode())
                    .isEqualTo(404);

            HttpResponse<byte[]> response = send("POST", host, "/api/job?x=1", body,
                    Map.of("x-functions-key", functionKey, "Content-Type", "application/json"));
            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(response.headers().firstValue("X-Test")).hasValue("yes");
            JsonNode seen = jsonOf(response);
            assertThat(seen.path("path").asText()).isEqualTo("/job");
            assertThat(seen.path("invocation").asText()).isNotBlank();
            assertThat(seen.path("setting").asText()).isEqualTo("v1");
            JsonNode req = seen.path("envelope").path("Data").path("req");
            assertThat(req.path("Method").asText()).isEqualTo("POST");
            assertThat(req.path("Body").asText()).isEqualTo("{\"job_id\":1}");
            assertThat(req.path("Query").path("x").asText()).isEqualTo("1");
            assertThat(req.path("Url").asText()).isEqualTo("https://" + host + "/api/job?x=1");
            assertThat(req.path("Headers").path("Content-Type").get(0).asText()).isEqualTo("application/json");
            assertThat(seen.path("envelope").path("Metadata").path("sys").path("MethodName").asText())
                    .isEqualTo("job");

            String code = jsonOf(arm("POST", SUB + "/resourceGroups/rg/providers/Microsoft.Web/sites/" + app
                    + "/host/default/listkeys", null)).path("functionKeys").path("default").asText();
            assertThat(send("POST", host, "/api/job?code=" + code, body, Map.of()).statusCode()).isEqualTo(201);
        }

        @Test
        @DisplayName("answers 503 when the handler never listens on its port within the start timeout")
        void startTimeout() throws Exception {
            try (LocalAzure quick = LocalAzure.builder().handlerStartTimeout(Duration.ofMillis(700)).build().start()) {
                HttpClient c = client;
                String sub = SUB + "/resourceGroups/g";
                for (String[] call : new String[][] {{"PUT", sub, "{\"location\":\"westeurope\"}"},
                        {"PUT", sub + "/providers/Microsoft.Web/sites/sleeper", "{}"}}) {
                    c.send(HttpRequest.newBuilder(URI.create(quick.endpoint() + call[1]))
                            .header("Authorization", "Bearer t").header("X-Forwarded-Host", "management.azure.com")
                            .method(call[0], HttpRequest.BodyPublishers.ofString(call[2])).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
                Map<String, String> files = pythonApp();
                files.put("host.json", "{\"version\":\"2.0\",\"customHandler\":{\"description\":"
                        + "{\"defaultExecutablePath\":\"/bin/sleep\",\"arguments\":[\"30\"]}}}");
                c.send(HttpRequest.newBuilder(URI.create(quick.endpoint() + "/api/zipdeploy"))
                        .header("Authorization", "Bearer t").header("X-Forwarded-Host", "sleeper.scm.azurewebsites.net")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(zip(files))).build(),
                        HttpResponse.BodyHandlers.discarding());
                HttpResponse<String> keys = c.send(HttpRequest.newBuilder(URI.create(quick.endpoint() + sub
                                + "/providers/Microsoft.Web/sites/sleeper/host/default/listkeys"))
                        .header("Authorization", "Bearer t").header("X-Forwarded-Host", "management.azure.com")
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                String key = json.readTree(keys.body()).path("functionKeys").path("default").asText();
                HttpResponse<String> call = c.send(HttpRequest.newBuilder(URI.create(quick.endpoint() + "/api/job"))
                        .header("X-Forwarded-Host", "sleeper.azurewebsites.net").header("x-functions-key", key)
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(call.statusCode()).isEqualTo(503);
            }
        }
    }
}
