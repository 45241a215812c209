package dev.faasx.azure.function.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a native {@code bootstrap} once per call, the spec's way: the request (spec v1 JSON, so that any v1 function
 * understands it) on its stdin, the answer read from its stdout. The process's stderr goes to this process's stderr,
 * which the Functions host collects as the function's log.
 */
public final class BootstrapAnswerer implements Answerer {
    private static final ErrorContext CONTEXT = ErrorContext.of("azure-functions");
    private static final long MAX_ANSWER_BYTES = 256L * 1024 * 1024;

    private final Path bootstrap;
    private final SpecCodec codec;
    private final HandlerAnswerer.InstanceState instance;
    private final Duration timeout;

    /**
     * @param timeout the longest one run may take before it is killed; {@code null} for no limit of its own (the
     *                host's function timeout still applies)
     */
    public BootstrapAnswerer(Path bootstrap, SpecCodec codec, HandlerAnswerer.InstanceState instance,
                             Duration timeout) {
        this.bootstrap = bootstrap.toAbsolutePath();
        this.codec = codec;
        this.instance = instance;
        this.timeout = timeout;
    }

    @Override
    public byte[] answer(byte[] requestJson) {
        Decoded<InvokeRequest> request;
        try {
            request = codec.decodeRequestWithEncoding(requestJson, CONTEXT);
        } catch (ProtocolException e) {
            return codec.encodeResponse(failure(e.jobId().orElse(0), e.reason(), ProtocolException.class.getName()),
                    PayloadEncoding.BYTE_ARRAY);
        }
        long jobId = request.value().jobId();
        long start = System.nanoTime();
        InvokeResponse response;
        try {
            byte[] out = run(codec.encodeRequest(request.value(), PayloadEncoding.BYTE_ARRAY));
            response = codec.decodeResponse(out, CONTEXT);
        } catch (ProtocolException e) {
            response = failure(jobId, "the bootstrap answered something that is not a spec response: " + e.reason(),
                    ProtocolException.class.getName());
        } catch (BootstrapFailure e) {
            response = failure(jobId, e.getMessage(), BootstrapFailure.class.getName());
        }
        Duration ran = Duration.ofNanos(System.nanoTime() - start);
        InvokeResponse.Builder b = response.toBuilder();
        if (response.executionDuration().isEmpty()) {
            b.executionDuration(ran);
        }
        request.value().callId().ifPresent(b::callId);
        return codec.encodeResponse(instance.annotate(b.build()), request.encoding());
    }

    private byte[] run(byte[] input) throws BootstrapFailure {
        Process process;
        try {
            ProcessBuilder pb = new ProcessBuilder(bootstrap.toString())
                    .directory(bootstrap.getParent().toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Map<String, String> env = pb.environment();
            env.remove("FUNCTIONS_CUSTOMHANDLER_PORT");
            process = pb.start();
        } catch (IOException e) {
            throw new BootstrapFailure("cannot start " + bootstrap.getFileName() + ": " + e.getMessage());
        }
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input);
        } catch (IOException e) {
            // The process may have answered without reading its input; its output decides.
        }
        try {
            byte[] out = timeout == null ? output.get() : output.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int exit = process.waitFor();
            if (out.length == 0) {
                throw new BootstrapFailure("the bootstrap exited with status " + exit + " without an answer");
            }
            return out;
        } catch (TimeoutException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new BootstrapFailure("the bootstrap ran longer than " + timeout.toSeconds() + " s and was stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new BootstrapFailure("interrupted while the bootstrap ran");
        } catch (ExecutionException e) {
            process.destroyForcibly();
            throw new BootstrapFailure("cannot read the bootstrap's answer: " + e.getCause().getMessage());
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_ANSWER_BYTES + 1));
            if (bytes.length > MAX_ANSWER_BYTES) {
                throw new IllegalStateException("the answer is larger than " + MAX_ANSWER_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InvokeResponse failure(long jobId, String message, String type) {
        return InvokeResponse.builder(jobId).failure(message).errorType(type).build();
    }

    /** The bootstrap could not produce an answer. */
    static final class BootstrapFailure extends Exception {
        private static final long serialVersionUID = 1L;

        BootstrapFailure(String message) {
            super(message, null, false, false);
        }
    }
}
