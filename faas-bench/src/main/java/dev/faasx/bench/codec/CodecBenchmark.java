package dev.faasx.bench.codec;

import dev.faasx.core.JobCall;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the spec codec costs per invoke message, by payload size and encoding: encoding a request (what a client does
 * per call) and decoding a response (what it does with the answer), and the server's side of both. Messages of
 * 2 KiB or more in the v1 byte-array encoding have their array read by the codec's fast path.
 *
 * <p>Run: {@code java -jar faas-bench/target/benchmarks.jar CodecBenchmark} (about 3 minutes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    @Param({"128", "16384"})
    public int payloadBytes;

    @Param({"BYTE_ARRAY", "BASE64"})
    public String encoding;

    private final SpecCodec codec = SpecCodec.create();
    private InvokeRequest request;
    private byte[] requestJson;
    private InvokeResponse response;
    private byte[] responseJson;
    private PayloadEncoding payloadEncoding;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] payload = new byte[payloadBytes];
        new Random(42).nextBytes(payload);
        payloadEncoding = PayloadEncoding.valueOf(encoding);
        request = InvokeRequest.from(JobCall.of(7, payload));
        requestJson = codec.encodeRequest(request, payloadEncoding);
        response = InvokeResponse.builder(7).result(payload).build();
        responseJson = codec.encodeResponse(response, payloadEncoding);
    }

    @Benchmark
    public byte[] encodeRequest() {
        return codec.encodeRequest(request, payloadEncoding);
    }

    @Benchmark
    public InvokeRequest decodeRequest() {
        return codec.decodeRequest(requestJson);
    }

    @Benchmark
    public byte[] encodeResponse() {
        return codec.encodeResponse(response, payloadEncoding);
    }

    @Benchmark
    public InvokeResponse decodeResponse() {
        return codec.decodeResponse(responseJson);
    }
}
