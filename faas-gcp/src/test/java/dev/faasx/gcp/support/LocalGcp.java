package dev.faasx.gcp.support;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.cloud.functions.v2.FunctionServiceSettings;
import dev.faasx.gcp.CloudFunctionsExecutor;
import dev.faasx.gcp.CloudFunctionsExecutorBuilder;
import dev.faasx.gcp.local.LocalCloudFunctions;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/** Executors and clients wired to a {@link LocalCloudFunctions}. */
public final class LocalGcp {
    public static final String PROJECT = "faasx-local";
    public static final String REGION = "europe-west1";

    private LocalGcp() {
    }

    /** A Google client over an in-process channel to {@code gcf}. */
    public static FunctionServiceClient client(LocalCloudFunctions gcf) {
        return client(gcf.inProcessChannel());
    }

    public static FunctionServiceClient client(ManagedChannel channel) {
        try {
            return FunctionServiceClient.create(FunctionServiceSettings.newBuilder()
                    .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An executor builder for {@code gcf} with fast operation polling; its client is closed by the caller. */
    public static CloudFunctionsExecutorBuilder executor(LocalCloudFunctions gcf, FunctionServiceClient client) {
        return CloudFunctionsExecutor.builder()
                .projectId(PROJECT)
                .region(REGION)
                .client(client)
                .idTokenProvider(gcf.credentials())
                .operationPolling(Duration.ofMillis(20), Duration.ofMillis(200));
    }
}
