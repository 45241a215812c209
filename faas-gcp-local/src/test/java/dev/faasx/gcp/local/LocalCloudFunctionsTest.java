package dev.faasx.gcp.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.longrunning.OperationTimedPollAlgorithm;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.auth.oauth2.IdToken;
import com.google.cloud.functions.v2.BuildConfig;
import com.google.cloud.functions.v2.CreateFunctionRequest;
import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.cloud.functions.v2.FunctionServiceSettings;
import com.google.cloud.functions.v2.GenerateUploadUrlResponse;
import com.google.cloud.functions.v2.ListFunctionsRequest;
import com.google.cloud.functions.v2.ListFunctionsResponse;
import com.google.cloud.functions.v2.ServiceConfig;
import com.google.cloud.functions.v2.Source;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Google's own Java client, over a plain gRPC channel to the emulator's loopback port, creating, getting, listing,
 * calling and deleting functions that run in Google's invoker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalCloudFunctionsTest {
    private static final String PARENT = "projects/demo-project/locations/us-central1";

    private final LocalCloudFunctions gcf = LocalCloudFunctions.start();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ManagedChannel channel;
    private FunctionServiceClient client;
    private Function echo;

    @BeforeAll
    void deployEcho() throws Exception {
        channel = ManagedChannelBuilder.forTarget(gcf.grpcTarget()).usePlaintext().build();
        RetrySettings fast = RetrySettings.newBuilder()
                .setInitialRetryDelayDuration(Duration.ofMillis(20)).setRetryDelayMultiplier(1.5)
                .setMaxRetryDelayDuration(Duration.ofMillis(200)).setTotalTimeoutDuration(Duration.ofSeconds(90))
                .setInitialRpcTimeoutDuration(Duration.ZERO).setRpcTimeoutMultiplier(1.0)
                .setMaxRpcTimeoutDuration(Duration.ZERO).build();
        FunctionServiceSettings.Builder settings = FunctionServiceSettings.newBuilder()
                .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                .setCredentialsProvider(NoCredentialsProvider.create());
        settings.createFunctionOperationSettings().setPollingAlgorithm(OperationTimedPollAlgorithm.create(fast));
        settings.deleteFunctionOperationSettings().setPollingAlgorithm(OperationTimedPollAlgorithm.create(fast));
        client = FunctionServiceClient.create(settings.build());
        echo = create("echo", Sources.echo(), "dev.faasx.gcp.local.EchoFunction", "java21");
    }

    @AfterAll
    void close() {
        client.close();
        gcf.close();
    }

    private Function create(String id, byte[] zip, String entryPoint, String runtime) throws Exception {
        return client.createFunctionAsync(request(id, zip, entryPoint, runtime)).get(90, TimeUnit.SECONDS);
    }

    private CreateFunctionRequest request(String id, byte[] zip, String entryPoint, String runtime) throws Exception {
        GenerateUploadUrlResponse upload = client.generateUploadUrl(
                com.google.cloud.functions.v2.GenerateUploadUrlRequest.newBuilder().setParent(PARENT).build());
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(upload.getUploadUrl()))
                .header("Content-Type", "application/zip").PUT(HttpRequest.BodyPublishers.ofByteArray(zip)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);
        return CreateFunctionRequest.newBuilder().setParent(PARENT).setFunctionId(id)
                .setFunction(Function.newBuilder()
                        .setBuildConfig(BuildConfig.newBuilder().setRuntime(runtime).setEntryPoint(entryPoint)
                                .setSource(Source.newBuilder().setStorageSource(upload.getStorageSource())))
                        .setServiceConfig(ServiceConfig.newBuilder().setAvailableMemory("256Mi").setTimeoutSeconds(30)
                                .putEnvironmentVariables("GREETING", "hello there")))
                .build();
    }

    private HttpResponse<String> post(String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token(String audience) throws IOException {
        IdToken token = gcf.credentials().idTokenWithAudience(audience, List.of());
        return token.getTokenValue();
    }

    @Nested
    @DisplayName("a function created with Google's client")
    class Created {
        @Test
        @DisplayName("is ACTIVE, with its URL, service and revision")
        void isActive() {
            Function fn = client.getFunction(PARENT + "/functions/echo");
            assertThat(fn.getState()).isEqualTo(Function.State.ACTIVE);
            assertThat(fn.getServiceConfig().getUri()).startsWith("http://127.0.0.1:");
            assertThat(fn.getUrl()).isEqualTo(fn.getServiceConfig().getUri());
            assertThat(fn.getServiceConfig().getService()).endsWith("/services/echo");
            assertThat(fn.getServiceConfig().getRevision()).isEqualTo("echo-00001");
            assertThat(echo.getName()).isEqualTo(fn.getName());
        }

        @Test
        @DisplayName("runs in Google's invoker with its environment, for a caller with an ID token for its URL")
        void answersWithAToken() throws Exception {
            String url = echo.getServiceConfig().getUri();
            HttpResponse<String> answer = post(url, token(url), "ping");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("echo|hello there|ping");
            assertThat(answer.headers().firstValue("Function-Execution-Id")).isPresent();
        }

        @Test
        @DisplayName("refuses callers without a token, or with a token for another URL or from another issuer, with 403")
        void refusesWithoutAValidToken() throws Exception {
            String url = echo.getServiceConfig().getUri();
            assertThat(post(url, null, "x").statusCode()).isEqualTo(403);
            assertThat(post(url, token("http://127.0.0.1:1"), "x").statusCode()).isEqualTo(403);
            try (LocalCloudFunctions other = LocalCloudFunctions.start()) {
                String foreign = other.credentials().idTokenWithAudience(url, List.of()).getTokenValue();
                assertThat(post(url, foreign, "x").statusCode()).isEqualTo(403);
            }
            assertThat(post(url, "not.a.jwt", "x").body()).contains("Forbidden");
        }

        @Test
        @DisplayName("cannot be created twice")
        void alreadyExists() {
            assertThatThrownBy(() -> client.createFunctionAsync(request("echo", Sources.echo(),
                    "dev.faasx.gcp.local.EchoFunction", "java21")).get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(io.grpc.StatusRuntimeException.class)
                    .satisfies(e -> assertThat(e).isInstanceOfAny(AlreadyExistsException.class,
                            ExecutionException.class));
        }
    }

    @Nested
    @DisplayName("listing")
    class Listing {
        @Test
        @DisplayName("pages through the functions of a location, and '-' lists every location")
        void pages() throws Exception {
            create("second", Sources.echo(), "dev.faasx.gcp.local.EchoFunction", "java17");
            try {
                ListFunctionsResponse first = client.listFunctionsCallable().call(ListFunctionsRequest.newBuilder()
                        .setParent(PARENT).setPageSize(1).build());
                assertThat(first.getFunctionsList()).hasSize(1);
                assertThat(first.getNextPageToken()).isNotEmpty();
                ListFunctionsResponse second = client.listFunctionsCallable().call(ListFunctionsRequest.newBuilder()
                        .setParent(PARENT).setPageSize(1).setPageToken(first.getNextPageToken()).build());
                assertThat(second.getFunctionsList()).hasSize(1);
                assertThat(second.getFunctions(0).getName()).isNotEqualTo(first.getFunctions(0).getName());
                List<String> all = new java.util.ArrayList<>();
                client.listFunctions("projects/demo-project/locations/-").iterateAll()
                        .forEach(f -> all.add(f.getName()));
                assertThat(all).contains(PARENT + "/functions/echo", PARENT + "/functions/second");
            } finally {
                client.deleteFunctionAsync(PARENT + "/functions/second").get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Nested
    @DisplayName("deleting")
    class Deleting {
        @Test
        @DisplayName("removes the function and its URL")
        void deletes() throws Exception {
            Function fn = create("doomed", Sources.echo(), "dev.faasx.gcp.local.EchoFunction", "java21");
            client.deleteFunctionAsync(fn.getName()).get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> client.getFunction(fn.getName())).isInstanceOf(NotFoundException.class);
            String url = fn.getServiceConfig().getUri();
            assertThatThrownBy(() -> post(url, token(url), "x")).isInstanceOf(ConnectException.class);
        }
    }

    @Nested
    @DisplayName("a build")
    class Builds {
        private String failure(String id, byte[] zip, String entryPoint, String runtime) throws Exception {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> create(id, zip, entryPoint, runtime));
            Function fn = client.getFunction(PARENT + "/functions/" + id);
            assertThat(fn.getState()).isEqualTo(Function.State.FAILED);
            assertThat(fn.getStateMessages(0).getMessage()).startsWith("Build failed");
            client.deleteFunctionAsync(fn.getName()).get(30, TimeUnit.SECONDS);
            return e.getCause().getMessage();
        }

        @Test
        @DisplayName("fails when the entry point is not in the JAR")
        void missingEntryPoint() throws Exception {
            assertThat(failure("no-class", Sources.echo(), "com.example.Nope", "java21"))
                    .contains("com.example.Nope");
        }

        @Test
        @DisplayName("fails for a runtime the emulator does not run")
        void otherRuntime() throws Exception {
            assertThat(failure("node", Sources.echo(), "handler", "nodejs20")).contains("nodejs20");
        }

        @Test
        @DisplayName("fails for two JARs at the root, a bad zip, or a path that leaves the source directory")
        void badPackages() throws Exception {
            Map<String, byte[]> two = new LinkedHashMap<>();
            two.put("a.jar", Sources.jarOf(EchoFunction.class));
            two.put("b.jar", Sources.jarOf(EchoFunction.class));
            assertThat(failure("two-jars", Sources.zip(two), "dev.faasx.gcp.local.EchoFunction", "java21"))
                    .contains("2 JARs");
            assertThat(failure("not-zip", "plain text".getBytes(StandardCharsets.UTF_8),
                    "dev.faasx.gcp.local.EchoFunction", "java21")).contains("not a readable zip");
            assertThat(failure("escape", Sources.zip(Map.of("../evil.jar", new byte[] {1})),
                    "dev.faasx.gcp.local.EchoFunction", "java21")).contains("'../evil.jar' contains a '..' segment");
        }

        @Test
        @DisplayName("of a function whose class fails to start fails with the instance's output")
        void instanceFailsToStart() throws Exception {
            Map<String, byte[]> files = Map.of("function.jar", Sources.jarOf(BrokenFunction.class));
            assertThat(failure("broken", Sources.zip(files), BrokenFunction.class.getName(), "java21"))
                    .contains("exited");
        }

        @Test
        @DisplayName("is refused at once when the source was never uploaded")
        void sourceNotUploaded() {
            CreateFunctionRequest request = CreateFunctionRequest.newBuilder().setParent(PARENT).setFunctionId("ghost")
                    .setFunction(Function.newBuilder().setBuildConfig(BuildConfig.newBuilder().setRuntime("java21")
                            .setEntryPoint("x.Y").setSource(Source.newBuilder().setStorageSource(
                                    com.google.cloud.functions.v2.StorageSource.newBuilder()
                                            .setBucket("gcf-v2-uploads-local").setObject("nothing.zip"))))).build();
            assertThatThrownBy(() -> client.createFunctionAsync(request).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(InvalidArgumentException.class).hasMessageContaining("does not exist");
        }
    }

    @Nested
    @DisplayName("the upload and token endpoints")
    class Endpoints {
        @Test
        @DisplayName("take one upload per URL")
        void uploadUrlsAreSingleUse() throws Exception {
            GenerateUploadUrlResponse upload = client.generateUploadUrl(
                    com.google.cloud.functions.v2.GenerateUploadUrlRequest.newBuilder().setParent(PARENT).build());
            HttpRequest put = HttpRequest.newBuilder(URI.create(upload.getUploadUrl()))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(Sources.echo())).build();
            assertThat(http.send(put, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            assertThat(http.send(put, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
            assertThat(upload.getStorageSource().getBucket()).isEqualTo("gcf-v2-uploads-local");
        }

        @Test
        @DisplayName("refuse a grant whose assertion is not signed by the emulator's service account")
        void tokenEndpointChecksTheAssertion() throws Exception {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(gcf.tokenUri()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type"
                            + "%3Ajwt-bearer&assertion=eyJhbGciOiJSUzI1NiJ9.e30.c2ln")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(answer.body()).contains("invalid_grant");
            long before = gcf.issuedIdTokens();
            token("https://example.com");
            assertThat(gcf.issuedIdTokens()).isEqualTo(before + 1);
        }
    }
}
