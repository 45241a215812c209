package dev.faasx.azure.function.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.JobHandler;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.function.FunctionHost;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;

import java.time.Duration;

/**
 * Runs a {@link JobHandler} through core's {@link FunctionHost} and adds what this adapter measured itself: whether
 * the call was the first one this process served (a cold start) and, for that call, how long the process took from
 * its start to being ready.
 */
public final class HandlerAnswerer implements Answerer {
    private static final ErrorContext CONTEXT = ErrorContext.of("azure-functions");

    private final FunctionHost host;
    private final SpecCodec codec;
    private final InstanceState instance;

    public HandlerAnswerer(JobHandler handler, SpecCodec codec, InstanceState instance) {
        this.host = FunctionHost.of(handler, codec);
        this.codec = codec;
        this.instance = instance;
    }

    @Override
    public byte[] answer(byte[] requestJson) {
        Decoded<InvokeRequest> request;
        try {
            request = codec.decodeRequestWithEncoding(requestJson, CONTEXT);
        } catch (ProtocolException e) {
            InvokeResponse failure = InvokeResponse.builder(e.jobId().orElse(0)).failure(e.reason())
                    .errorType(ProtocolException.class.getName()).build();
            return codec.encodeResponse(failure, PayloadEncoding.BYTE_ARRAY);
        }
        InvokeResponse response = host.run(request.value());
        return codec.encodeResponse(instance.annotate(response), request.encoding());
    }

    /** Cold-start bookkeeping of this process: the first call it serves is the cold one. */
    public static final class InstanceState {
        private final java.util.concurrent.atomic.AtomicBoolean served = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile Duration startup;

        /** Records how long the process took from its start until it was ready to serve. */
        public void ready(Duration sinceProcessStart) {
            this.startup = sinceProcessStart;
        }

        public InvokeResponse annotate(InvokeResponse response) {
            boolean cold = served.compareAndSet(false, true);
            InvokeResponse.Builder b = response.toBuilder().coldStart(cold);
            if (cold && startup != null) {
                b.initDuration(startup);
            }
            return b.build();
        }
    }
}
