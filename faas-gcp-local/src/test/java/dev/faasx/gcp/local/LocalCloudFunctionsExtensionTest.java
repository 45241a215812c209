package dev.faasx.gcp.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.cloud.functions.v2.FunctionServiceSettings;
import com.google.cloud.functions.v2.ListRuntimesRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalCloudFunctionsExtensionTest {
    @RegisterExtension
    static final LocalCloudFunctionsExtension GCF = LocalCloudFunctionsExtension.configured(
            b -> b.projectId("extension-test").idTokenLifetime(Duration.ofMinutes(5)));

    @Test
    void injectsTheRunningEmulator(LocalCloudFunctions gcf) throws Exception {
        assertThat(gcf).isSameAs(GCF.emulator());
        assertThat(gcf.projectId()).isEqualTo("extension-test");
        try (FunctionServiceClient client = FunctionServiceClient.create(FunctionServiceSettings.newBuilder()
                .setTransportChannelProvider(FixedTransportChannelProvider.create(
                        GrpcTransportChannel.create(gcf.inProcessChannel())))
                .setCredentialsProvider(NoCredentialsProvider.create()).build())) {
            assertThat(client.listRuntimes(ListRuntimesRequest.newBuilder()
                    .setParent("projects/extension-test/locations/us-central1").build()).getRuntimesList())
                    .extracting(r -> r.getName()).containsExactly("java17", "java21");
        }
    }
}
