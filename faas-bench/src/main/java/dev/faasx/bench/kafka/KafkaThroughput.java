package dev.faasx.bench.kafka;

import dev.faasx.kafka.TestBroker;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobRouter;
import dev.faasx.http.HttpFaasExecutor;
import dev.faasx.kafka.DeliveryGuarantee;
import dev.faasx.kafka.JobRecords;
import dev.faasx.kafka.KafkaJobSource;
import dev.faasx.server.Bootstraps;
import dev.faasx.server.ReferenceServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Calls per second through Kafka: {@code faas-kafka} runners with a no-op local job against the raw ceiling measured
 * in the same run (a plain kafka-clients consume → produce loop, {@link RawLoop}, with the same settings and
 * guarantee), for 1, 2 and 3 runners; end-to-end latency producer → committed result at a fixed send rate; and the
 * same with the job delegated to the reference server (a C echo as a persistent worker).
 *
 * <p>Everything runs in this JVM: the broker, the runners, the raw loops, the producer and the reader, on a machine
 * whose CPUs they share, so the ratio faasx/raw is the figure to read, not the absolute rates.
 *
 * <pre>
 * java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.kafka.KafkaThroughput \
 *      [--calls 30000] [--runners 1,2,3] [--guarantee both|at-least-once|exactly-once] \
 *      [--latency-rate 1000] [--latency-seconds 5] [--remote-calls 10000] [--repeat 3]
 * </pre>
 */
public final class KafkaThroughput {
    private static final int PARTITIONS = 6;
    private static final JobRecords RECORDS = JobRecords.create();
    private static int runId;

    private KafkaThroughput() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.dev.faasx", "warn");
        Map<String, String> o = new HashMap<>(Map.of("calls", "30000", "runners", "1,2,3", "guarantee", "both",
                "latency-rate", "1000", "latency-seconds", "5", "remote-calls", "10000", "repeat", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int calls = Integer.parseInt(o.get("calls"));
        List<Integer> runnerCounts = java.util.Arrays.stream(o.get("runners").split(",")).map(Integer::parseInt)
                .toList();
        List<DeliveryGuarantee> guarantees = switch (o.get("guarantee")) {
            case "at-least-once" -> List.of(DeliveryGuarantee.AT_LEAST_ONCE);
            case "exactly-once" -> List.of(DeliveryGuarantee.EXACTLY_ONCE);
            default -> List.of(DeliveryGuarantee.AT_LEAST_ONCE, DeliveryGuarantee.EXACTLY_ONCE);
        };
        int rate = Integer.parseInt(o.get("latency-rate"));
        int latencyCalls = rate * Integer.parseInt(o.get("latency-seconds"));
        int remoteCalls = Integer.parseInt(o.get("remote-calls"));
        int repeat = Integer.parseInt(o.get("repeat"));

        List<String> rows = new ArrayList<>();
        Path work = Files.createTempDirectory("faasx-kafka-bench");
        try (TestBroker kafka = TestBroker.start();
             ReferenceServer server = ReferenceServer.builder().port(0).dataDirectory(work.resolve("data")).build()
                     .start();
             HttpFaasExecutor remote = HttpFaasExecutor.create(server.baseUri())) {
            byte[] echo = Bootstraps.nativeEcho(work).orElseThrow(() -> new IllegalStateException(
                    "gcc is needed to build the C echo function"));
            remote.deploy(2, FunctionPackage.bootstrapBinary(echo), FaasConfig.builder().maxConcurrency(64)
                    .keepWarmInstances(8).providerOption(HttpFaasExecutor.WORKER_MODE_OPTION, "persistent")
                    .build()).join();
            // Warm-up: one short faasx and raw run, so the JIT has seen the code before anything is measured.
            throughput(kafka, "faasx", 1, DeliveryGuarantee.AT_LEAST_ONCE, 10_000, null);
            throughput(kafka, "faasx", 1, DeliveryGuarantee.EXACTLY_ONCE, 10_000, null);
            throughput(kafka, "raw", 1, DeliveryGuarantee.AT_LEAST_ONCE, 10_000, null);
            throughput(kafka, "raw", 1, DeliveryGuarantee.EXACTLY_ONCE, 10_000, null);
            for (DeliveryGuarantee g : guarantees) {
                for (int r : runnerCounts) {
                    // Raw and faasx alternate, so that both see the same (shared, noisy) machine; medians.
                    List<Double> raws = new ArrayList<>();
                    List<Double> faasxs = new ArrayList<>();
                    List<Double> ratios = new ArrayList<>();
                    List<Double> rawCpu = new ArrayList<>();
                    List<Double> faasxCpu = new ArrayList<>();
                    for (int k = 0; k < repeat; k++) {
                        double[] raw = throughput(kafka, "raw", r, g, calls, null);
                        double[] faasx = throughput(kafka, "faasx", r, g, calls, null);
                        raws.add(raw[0]);
                        faasxs.add(faasx[0]);
                        ratios.add(faasx[0] / raw[0]);
                        rawCpu.add(raw[1]);
                        faasxCpu.add(faasx[1]);
                        System.out.printf(Locale.ROOT, "%s %d runners, run %d: raw %,.0f/s (%.1f µs CPU/call) faasx "
                                + "%,.0f/s (%.1f µs CPU/call)%n", g, r, k + 1, raw[0], raw[1], faasx[0], faasx[1]);
                    }
                    double[] latency = latency(kafka, r, g, rate, latencyCalls, null);
                    rows.add(String.format(Locale.ROOT, "| %s | %d | local no-op | %,.0f | %,.0f | %.2f (%.2f–%.2f) "
                                    + "| %.1f / %.1f | %.1f | %.1f |", g, r, median(raws), median(faasxs),
                            median(ratios), ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                            ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0), median(rawCpu),
                            median(faasxCpu), latency[0], latency[1]));
                    System.out.println(rows.get(rows.size() - 1));
                }
                for (int r : runnerCounts) {
                    double[] faasx = throughput(kafka, "faasx", r, g, remoteCalls, remote);
                    double[] latency = latency(kafka, r, g, Math.min(rate, 500), Math.min(rate, 500) * 4, remote);
                    rows.add(String.format(Locale.ROOT, "| %s | %d | reference server, C echo worker | — | %,.0f | — "
                            + "| — / %.1f | %.1f | %.1f |", g, r, faasx[0], faasx[1], latency[0], latency[1]));
                    System.out.println(rows.get(rows.size() - 1));
                }
            }
        }
        System.out.println();
        System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs; " + PARTITIONS + " partitions; " + calls + " calls per throughput run; latency at "
                + rate + " calls/s");
        System.out.println("| guarantee | runners | job | raw loop calls/s (median of " + repeat + ") | faasx calls/s "
                + "(median) | faasx / raw: median (min–max) | process CPU µs per call, raw / faasx | p50 ms | p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.exit(0);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Starts the workers and waits until they hold every partition, then sends {@code n} calls as fast as the
     * producer goes and measures calls per second from the first send to the last committed result.
     */
    private static double[] throughput(TestBroker kafka, String kind, int runners, DeliveryGuarantee g, int n,
                                       FaasExecutor remote) throws Exception {
        String prefix = "t" + (++runId);
        kafka.createTopics(PARTITIONS, prefix + "-calls", prefix + "-results");
        List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            calls.add(RECORDS.callRecord(prefix + "-calls", call(prefix, i, remote != null)));
        }
        AtomicInteger failedSends = new AtomicInteger();
        try (ResultReader reader = new ResultReader(kafka.bootstrapServers(), prefix + "-results", Map.of());
             Workers workers = Workers.start(kind, kafka, prefix, runners, g, remote);
             KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            workers.awaitAssigned();
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            for (var record : calls) {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        failedSends.incrementAndGet();
                    }
                });
            }
            producer.flush();
            if (failedSends.get() > 0) {
                throw new IllegalStateException(failedSends.get() + " calls of run " + prefix + " were not written");
            }
            if (!reader.await(n, Duration.ofSeconds(180))) {
                throw new IllegalStateException(kind + " run " + prefix + " saw only " + reader.distinct()
                        + " of " + n + " results");
            }
            double cpuMicrosPerCall = (processCpuNanos() - cpuStart) / 1e3 / n;
            return new double[] {reader.rateSince(start), cpuMicrosPerCall};
        }
    }

    /** CPU time of this whole process (broker, clients, runners, reader), which the machine's load does not inflate. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Starts the runners, then sends calls at {@code rate} per second and measures send → committed result. */
    private static double[] latency(TestBroker kafka, int runners, DeliveryGuarantee g, int rate, int n,
                                    FaasExecutor remote) throws Exception {
        String prefix = "l" + (++runId);
        kafka.createTopics(PARTITIONS, prefix + "-calls", prefix + "-results");
        Map<String, Long> sentAt = ResultReader.sendTimes();
        try (Workers workers = Workers.start("faasx", kafka, prefix, runners, g, remote);
             ResultReader reader = new ResultReader(kafka.bootstrapServers(), prefix + "-results", sentAt);
             KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            workers.awaitAssigned();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait); // no spinning: the CPUs are shared
                }
                JobCall call = call(prefix, i, remote != null);
                sentAt.put(call.callId(), System.nanoTime());
                producer.send(RECORDS.callRecord(prefix + "-calls", call));
            }
            if (!reader.await(n, Duration.ofSeconds(120))) {
                throw new IllegalStateException("latency run " + prefix + " saw only " + reader.distinct() + " of "
                        + n + " results");
            }
            return new double[] {reader.latencyMillis(0.5), reader.latencyMillis(0.99)};
        }
    }

    private static JobCall call(String prefix, int i, boolean remote) {
        return JobCall.builder(remote ? 2 : 1).callId(prefix + "-" + i)
                .body(("payload-" + i).getBytes(StandardCharsets.UTF_8)).build();
    }

    private static KafkaProducer<byte[], byte[]> producer(TestBroker kafka) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(p);
    }

    /** The runners (faasx) or raw loops of one measurement. */
    private static final class Workers implements AutoCloseable {
        private final List<AutoCloseable> closers = new ArrayList<>();
        private final List<IntSupplier> assigned = new ArrayList<>();

        static Workers start(String kind, TestBroker kafka, String prefix, int n, DeliveryGuarantee g,
                             FaasExecutor remote) {
            Workers w = new Workers();
            if (kind.equals("raw")) {
                for (int i = 0; i < n; i++) {
                    AtomicInteger assigned = new AtomicInteger();
                    w.closers.add(new RawLoop(kafka.bootstrapServers(), prefix + "-calls", prefix + "-results",
                            prefix + "-raw", "raw" + i, g, assigned));
                    w.assigned.add(assigned::get);
                }
                return w;
            }
            List<KafkaJobSource> sources = new ArrayList<>();
            JobRouter router = JobRouter.builder().route(1, JobHandler.ofBytes(b -> b)).build();
            for (int i = 0; i < n; i++) {
                KafkaJobSource source = KafkaJobSource.builder().bootstrapServers(kafka.bootstrapServers())
                        .callsTopic(prefix + "-calls").resultsTopic(prefix + "-results").groupId(prefix + "-runners")
                        .runnerId("runner" + i).guarantee(g).build();
                FaasRunner.Builder b = FaasRunner.builder().name("runner" + i).router(router).producer(source)
                        .consumer(source.resultSink()).maxInFlight(256).callerRunsLocalHandlers();
                if (remote != null) {
                    b.withFaasExecutor(2, remote);
                }
                FaasRunner runner = b.build();
                runner.start();
                sources.add(source);
                w.assigned.add(() -> source.stats().partitions().size());
                w.closers.add(() -> {
                    source.close();
                    runner.close();
                });
            }
            return w;
        }

        /**
         * Waits until every worker holds partitions, all of them are held, and that has not changed for a second:
         * the group has settled, so that no rebalance falls into the measurement.
         */
        void awaitAssigned() throws InterruptedException {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long settledSince = -1;
            while (System.nanoTime() < end) {
                boolean settled = assigned.stream().allMatch(a -> a.getAsInt() > 0)
                        && assigned.stream().mapToInt(IntSupplier::getAsInt).sum() == PARTITIONS;
                if (!settled) {
                    settledSince = -1;
                } else if (settledSince < 0) {
                    settledSince = System.nanoTime();
                } else if (System.nanoTime() - settledSince > Duration.ofSeconds(1).toNanos()) {
                    return;
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException("the workers' group did not settle within a minute");
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable c : closers) {
                c.close();
            }
        }
    }
}
