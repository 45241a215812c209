package dev.faasx.http;

import static dev.faasx.http.Outcomes.failure;
import static dev.faasx.http.Outcomes.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProviderException;
import dev.faasx.http.FakePlatform.Answer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HttpFaasExecutorSettingsTest {
    private static final String TOKEN = "s3cr3t-token-value";
    private static final String OK_INVOKE = "{\"job_id\":7,\"result\":[],\"success\":true}";

    private FakePlatform platform;

    @BeforeEach
    void start() throws IOException {
        platform = FakePlatform.start();
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    @Nested
    class Authentication {
        @Test
        void sendsTheBearerTokenOnEveryOperation() throws Exception {
            platform.answer(r -> switch (r.method() + " " + r.path()) {
                case "POST /api/functions/job7/invoke" -> Answer.json(200, OK_INVOKE);
                case "GET /api/functions/job7/health" -> Answer.json(200,
                        "{\"function_id\":\"job7\",\"status\":\"healthy\",\"total_invocations\":1}");
                case "POST /api/functions/job7/warm" -> Answer.json(200,
                        "{\"function_id\":\"job7\",\"status\":\"warm\",\"instances_warmed\":1}");
                case "GET /api/functions/job7", "PUT /api/functions/job7" -> Answer.json(200,
                        "{\"function_id\":\"job7\",\"status\":\"deployed\"}");
                default -> Answer.json(200, "{\"function_id\":\"job7\",\"status\":\"deleted\"}");
            });
            try (HttpFaasExecutor executor = HttpFaasExecutor.builder(platform.baseUri()).bearerToken(TOKEN).build()) {
                value(executor.deploy(7, FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n"), FaasConfig.defaults()));
                value(executor.invoke(JobCall.of(7, new byte[] {1})));
                value(executor.healthCheck(7));
                value(executor.warm(7));
                value(executor.getDeployment(7));
                value(executor.undeploy(7));
            }

            for (int i = 0; i < 6; i++) {
                assertThat(platform.take().header("Authorization")).isEqualTo("Bearer " + TOKEN);
            }
        }

        @Test
        void asksATokenSupplierForEveryRequest() throws Exception {
            platform.answer(Answer.json(200, OK_INVOKE));
            AtomicInteger n = new AtomicInteger();
            try (HttpFaasExecutor executor = HttpFaasExecutor.builder(platform.baseUri())
                    .bearerToken(() -> "token-" + n.incrementAndGet()).build()) {
                value(executor.invoke(JobCall.of(7, new byte[0])));
                value(executor.invoke(JobCall.of(7, new byte[0])));
            }

            assertThat(platform.take().header("Authorization")).isEqualTo("Bearer token-1");
            assertThat(platform.take().header("Authorization")).isEqualTo("Bearer token-2");
        }

        @Test
        void aRefusedTokenIsAccessDeniedAndTheErrorNeverShowsTheToken() {
            platform.answer(Answer.json(401, "{\"error\":\"wrong key\",\"code\":\"UNAUTHORIZED\"}"));
            try (HttpFaasExecutor executor = HttpFaasExecutor.builder(platform.baseUri()).bearerToken(TOKEN).build()) {
                FaasException e = failure(executor.invoke(JobCall.of(7, new byte[0])));

                assertThat(e).isInstanceOf(AccessDeniedException.class);
                assertThat(e.getMessage()).doesNotContain(TOKEN);
                assertThat(executor.toString()).doesNotContain(TOKEN);
            }
        }

        @Test
        void sendsNoAuthorizationWithoutAToken() throws Exception {
            platform.answer(Answer.json(200, OK_INVOKE));
            try (HttpFaasExecutor executor = HttpFaasExecutor.create(platform.baseUri())) {
                value(executor.invoke(JobCall.of(7, new byte[0])));
            }
            assertThat(platform.take().header("Authorization")).isNull();
        }
    }

    @Nested
    class ExtraHeaders {
        @Test
        void areSentWithEveryRequest() throws Exception {
            platform.answer(Answer.json(200, OK_INVOKE));
            try (HttpFaasExecutor executor = HttpFaasExecutor.builder(platform.baseUri())
                    .header("X-Tenant", "blue").header("X-Api-Key", "k1").build()) {
                value(executor.invoke(JobCall.of(7, new byte[0])));
            }

            FakePlatform.Recorded r = platform.take();
            assertThat(r.header("X-Tenant")).isEqualTo("blue");
            assertThat(r.header("X-Api-Key")).isEqualTo("k1");
        }

        @Test
        void thatCouldSplitARequestAreRefused() {
            HttpFaasExecutor.Builder b = HttpFaasExecutor.builder(platform.baseUri());
            assertThatThrownBy(() -> b.header("X-Evil", "a\r\nHost: other")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("line break");
            assertThatThrownBy(() -> b.header("X-Evil", "a\nb")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.header("Bad Name", "v")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token");
            assertThatThrownBy(() -> b.bearerToken("abc\r\n")).isInstanceOf(IllegalArgumentException.class)
                    .message().doesNotContain("abc");
        }

        @Test
        void mayNotOverrideWhatTheExecutorSets() {
            HttpFaasExecutor.Builder b = HttpFaasExecutor.builder(platform.baseUri());
            List<String> refused = new ArrayList<>();
            for (String name : List.of("Authorization", "content-type", "X-Blueprint-Config", "Host",
                    "Content-Length")) {
                try {
                    b.header(name, "x");
                } catch (IllegalArgumentException e) {
                    refused.add(name);
                    assertThat(e.getMessage()).contains(name);
                }
            }
            assertThat(refused).containsExactly("Authorization", "content-type", "X-Blueprint-Config", "Host",
                    "Content-Length");
        }
    }

    @Nested
    class Configuration {
        @Test
        void refusesBaseUrisThatAreNotPlainHttpEndpoints() {
            assertThatThrownBy(() -> HttpFaasExecutor.builder(URI.create("ftp://host/")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HttpFaasExecutor.builder(URI.create("/relative")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HttpFaasExecutor.builder(URI.create("http://user:hunter2@host/")))
                    .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("hunter2");
            assertThatThrownBy(() -> HttpFaasExecutor.builder(URI.create("http://host/?a=b")))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void refusesInvalidExplicitFunctionIdsAtOnce() {
            HttpFaasExecutor.Builder b = HttpFaasExecutor.builder(platform.baseUri());
            assertThatThrownBy(() -> b.functionId(1, "-leading")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.functionId(1, "a".repeat(64))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.functionId(1, "a/b")).isInstanceOf(IllegalArgumentException.class);
            b.functionId(1, "a".repeat(63));
        }

        @Test
        void refusesNonPositiveTimeouts() {
            HttpFaasExecutor.Builder b = HttpFaasExecutor.builder(platform.baseUri());
            assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.invokeTimeout(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void tlsSettingsBelongToAnInjectedClient() throws Exception {
            HttpClient client = HttpClient.newHttpClient();
            assertThatThrownBy(() -> HttpFaasExecutor.builder(platform.baseUri()).httpClient(client)
                    .sslContext(SSLContext.getDefault()).build()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("injected HttpClient");
        }

        @Test
        void usesAnInjectedClientAndLeavesItOpenOnClose() throws Exception {
            platform.answer(Answer.json(200, OK_INVOKE));
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpFaasExecutor executor = HttpFaasExecutor.builder(platform.baseUri()).httpClient(client).build();
            value(executor.invoke(JobCall.of(7, new byte[0])));

            executor.close();

            HttpResponse<String> still = client.send(HttpRequest.newBuilder(platform.baseUri()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(still.statusCode()).isEqualTo(200);
            assertThat(failure(executor.invoke(JobCall.of(7, new byte[0])))).isInstanceOf(ProviderException.class);
        }
    }
}
