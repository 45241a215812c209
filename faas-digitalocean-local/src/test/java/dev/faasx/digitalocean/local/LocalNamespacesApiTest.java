package dev.faasx.digitalocean.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LocalNamespacesApiTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(LocalDigitalOcean local, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(local.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("creates, lists, reads and deletes namespaces with a bearer token, and refuses others")
    void namespaceLifecycle() throws Exception {
        try (LocalDigitalOcean local = LocalDigitalOcean.builder().token("dop_v1_test").build()) {
            assertThat(call(local, "GET", "/v2/functions/namespaces", null, null).statusCode()).isEqualTo(401);
            assertThat(call(local, "GET", "/v2/functions/namespaces", "wrong", null).statusCode()).isEqualTo(401);
            HttpResponse<String> created = call(local, "POST", "/v2/functions/namespaces", "dop_v1_test",
                    "{\"region\":\"fra1\",\"label\":\"jobs\"}");
            assertThat(created.statusCode()).isEqualTo(200);
            JsonNode ns = OpenWhiskClient.JSON.readTree(created.body()).path("namespace");
            assertThat(ns.path("label").asText()).isEqualTo("jobs");
            assertThat(ns.path("region").asText()).isEqualTo("fra1");
            assertThat(ns.path("api_host").asText()).isEqualTo(local.baseUrl().toString());
            assertThat(ns.path("namespace").asText()).startsWith("fn-");
            OpenWhiskClient ow = new OpenWhiskClient(URI.create(ns.path("api_host").asText()),
                    ns.path("uuid").asText() + ":" + ns.path("key").asText());
            assertThat(ow.call("GET", "actions", null).status()).isEqualTo(200);
            String listed = call(local, "GET", "/v2/functions/namespaces", "dop_v1_test", null).body();
            assertThat(listed).contains(ns.path("namespace").asText());
            String path = "/v2/functions/namespaces/" + ns.path("namespace").asText();
            assertThat(call(local, "GET", path, "dop_v1_test", null).statusCode()).isEqualTo(200);
            assertThat(call(local, "DELETE", path, "dop_v1_test", null).statusCode()).isEqualTo(204);
            assertThat(call(local, "GET", path, "dop_v1_test", null).statusCode()).isEqualTo(404);
            assertThat(ow.call("GET", "actions", null).status()).isEqualTo(401);
        }
    }

    @Test
    @DisplayName("refuses the eleventh namespace of an account, and unknown regions")
    void namespaceLimit() throws Exception {
        try (LocalDigitalOcean local = LocalDigitalOcean.builder().token("t").build()) {
            for (int i = 0; i < 10; i++) {
                assertThat(call(local, "POST", "/v2/functions/namespaces", "t",
                        "{\"region\":\"nyc1\",\"label\":\"n" + i + "\"}").statusCode()).isEqualTo(200);
            }
            HttpResponse<String> eleventh = call(local, "POST", "/v2/functions/namespaces", "t",
                    "{\"region\":\"nyc1\",\"label\":\"n10\"}");
            assertThat(eleventh.statusCode()).isEqualTo(422);
            assertThat(eleventh.body()).contains("limit of 10 namespaces");
            assertThat(call(local, "POST", "/v2/functions/namespaces", "t",
                    "{\"region\":\"mars1\",\"label\":\"x\"}").statusCode()).isEqualTo(422);
        }
    }
}
