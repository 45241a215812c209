package dev.faasx.gcp.local.internal;

import com.google.cloud.functions.v2.BuildConfig;
import com.google.cloud.functions.v2.Environment;
import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.OperationMetadata;
import com.google.cloud.functions.v2.ServiceConfig;
import com.google.cloud.functions.v2.StateMessage;
import com.google.cloud.functions.v2.StorageSource;
import com.google.longrunning.Operation;
import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.FieldMaskUtil;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the emulated FunctionService does: keeps the functions, runs their deployments (build, then a new
 * instance behind the function's URL) as long-running operations, and deletes them. Thread-safe.
 */
public final class LocalFunctions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFunctions.class);
    private static final Pattern LOCATION = Pattern.compile("projects/([a-z0-9][-a-z0-9.:]{0,62})/locations/([a-z0-9-]{1,40})");
    private static final Pattern FUNCTION_NAME =
            Pattern.compile("(projects/[a-z0-9][-a-z0-9.:]{0,62}/locations/[a-z0-9-]{1,40})/functions/([a-z]([-a-z0-9]{0,61}[a-z0-9])?)");
    private static final Pattern FUNCTION_ID = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final int MAX_INSTANCE_REQUESTS = 1000;

    private final Map<String, FunctionRecord> functions = new ConcurrentHashMap<>();
    private final Operations operations;
    private final Uploads uploads;
    private final TokenService tokens;
    private final InvokerProcess.Launch launch;
    private final Path workDirectory;
    private final Duration buildDelay;
    private final Clock clock;
    private final ExecutorService deployments;

    public LocalFunctions(Operations operations, Uploads uploads, TokenService tokens, InvokerProcess.Launch launch,
                          Path workDirectory, Duration buildDelay, Clock clock) {
        this.operations = operations;
        this.uploads = uploads;
        this.tokens = tokens;
        this.launch = launch;
        this.workDirectory = workDirectory;
        this.buildDelay = buildDelay;
        this.clock = clock;
        this.deployments = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faasx-gcp-local-deploy");
            t.setDaemon(true);
            return t;
        });
    }

    /** The location part ({@code projects/p/locations/l}) of a parent, or INVALID_ARGUMENT. */
    public static String location(String parent) {
        if (parent == null || !LOCATION.matcher(parent).matches()) {
            throw invalid("parent '" + parent + "' must look like projects/{project}/locations/{location}");
        }
        return parent;
    }

    public Function get(String name) {
        return record(name).function;
    }

    /** Functions under {@code parent}; location {@code -} means every location of the project. */
    public List<Function> list(String parent) {
        Matcher m = Pattern.compile("projects/([^/]+)/locations/([^/]+)").matcher(parent == null ? "" : parent);
        if (!m.matches()) {
            throw invalid("parent '" + parent + "' must look like projects/{project}/locations/{location}");
        }
        String prefix = m.group(2).equals("-") ? "projects/" + m.group(1) + "/locations/" : parent + "/functions/";
        List<Function> out = new ArrayList<>();
        for (FunctionRecord r : functions.values()) {
            if (r.name.startsWith(prefix)) {
                synchronized (r) {
                    out.add(r.function);
                }
            }
        }
        out.sort(Comparator.comparing(Function::getName));
        return out;
    }

    public Operation create(String parent, String functionId, Function requested) throws IOException {
        location(parent);
        if (functionId == null || functionId.isEmpty()) {
            functionId = requested.getName().isEmpty() ? "" : requested.getName().substring(requested.getName().lastIndexOf('/') + 1);
        }
        if (!FUNCTION_ID.matcher(functionId).matches()) {
            throw invalid("function id '" + functionId + "' is invalid: use 1-63 lower-case letters, digits and"
                    + " hyphens, starting with a letter and not ending with a hyphen");
        }
        String name = parent + "/functions/" + functionId;
        Path source = source(requested);
        checkBuildConfig(requested);
        FunctionFront front = new FunctionFront(tokens, "faasx-gcp-local-" + functionId);
        Timestamp now = now();
        Function function = outputs(requested.toBuilder().setName(name).setCreateTime(now).setUpdateTime(now)
                .setState(Function.State.DEPLOYING).clearStateMessages().setEnvironment(Environment.GEN_2), name,
                front, 0).build();
        FunctionRecord record = new FunctionRecord(name, front, function);
        if (functions.putIfAbsent(name, record) != null) {
            front.close();
            throw Status.ALREADY_EXISTS.withDescription("Function " + name + " already exists").asRuntimeException();
        }
        record.busy = true;
        return startDeployment(record, function, source, "create");
    }

    public Operation update(Function requested, FieldMask mask) throws IOException {
        FunctionRecord record = record(requested.getName());
        Function merged;
        synchronized (record) {
            if (record.busy) {
                throw Status.FAILED_PRECONDITION.withDescription("An operation on function " + record.name
                        + " is already in progress. Please try again once the operation is done.").asRuntimeException();
            }
            Function.Builder builder = record.function.toBuilder();
            if (mask == null || mask.getPathsCount() == 0) {
                builder.setBuildConfig(requested.getBuildConfig()).setServiceConfig(requested.getServiceConfig())
                        .clearLabels().putAllLabels(requested.getLabelsMap()).setDescription(requested.getDescription());
            } else {
                try {
                    FieldMaskUtil.merge(mask, requested, builder, new FieldMaskUtil.MergeOptions()
                            .setReplaceMessageFields(true).setReplaceRepeatedFields(true).setReplacePrimitiveFields(true));
                } catch (IllegalArgumentException e) {
                    throw invalid("invalid update_mask: " + e.getMessage());
                }
            }
            Function candidate = builder.build();
            Path source = source(candidate);
            checkBuildConfig(candidate);
            merged = outputs(builder.setState(Function.State.DEPLOYING).clearStateMessages().setUpdateTime(now()),
                    record.name, record.front, record.revision).build();
            record.function = merged;
            record.busy = true;
            return startDeployment(record, merged, source, "update");
        }
    }

    public Operation delete(String name) {
        FunctionRecord record = record(name);
        synchronized (record) {
            if (record.busy) {
                throw Status.FAILED_PRECONDITION.withDescription("An operation on function " + name
                        + " is already in progress. Please try again once the operation is done.").asRuntimeException();
            }
            record.busy = true;
            record.function = record.function.toBuilder().setState(Function.State.DELETING).build();
        }
        OperationMetadata metadata = metadata(name, "delete");
        Operation operation = operations.start(parentOf(name), metadata);
        deployments.execute(() -> {
            functions.remove(name, record);
            FunctionFront.Backend backend = record.front.backend();
            record.front.close();
            operations.succeed(operation.getName(), finished(metadata), Empty.getDefaultInstance());
            // The URL is gone, so the function is deleted; its instance may take a moment to stop.
            if (backend != null) {
                backend.instance().close();
            }
        });
        return operation;
    }

    private Operation startDeployment(FunctionRecord record, Function function, Path source, String verb) {
        OperationMetadata metadata = metadata(record.name, verb).toBuilder()
                .setRequestResource(com.google.protobuf.Any.pack(function)).build();
        Operation operation = operations.start(parentOf(record.name), metadata);
        deployments.execute(() -> deploy(record, function, source, operation.getName(), metadata));
        return operation;
    }

    private void deploy(FunctionRecord record, Function function, Path source, String operation,
                        OperationMetadata metadata) {
        int revision;
        synchronized (record) {
            revision = ++record.revision;
        }
        String revisionName = function.getServiceConfig().getService().substring(
                function.getServiceConfig().getService().lastIndexOf('/') + 1) + "-" + String.format("%05d", revision);
        try {
            sleep(buildDelay);
            Path directory = workDirectory.resolve("functions").resolve(record.name.replace('/', '_'))
                    .resolve(revisionName);
            FunctionBuild.Output build = FunctionBuild.run(source, function.getBuildConfig().getRuntime(),
                    function.getBuildConfig().getEntryPoint(), directory);
            ServiceConfig service = function.getServiceConfig();
            int memory = memoryMb(service.getAvailableMemory());
            int timeout = service.getTimeoutSeconds() > 0 ? service.getTimeoutSeconds() : 60;
            InvokerProcess instance = InvokerProcess.start(launch, build.jar(), function.getBuildConfig().getEntryPoint(),
                    service.getService().substring(service.getService().lastIndexOf('/') + 1), revisionName, timeout,
                    memory, service.getEnvironmentVariablesMap(), directory);
            int perInstance = Math.max(1, Math.min(MAX_INSTANCE_REQUESTS, service.getMaxInstanceRequestConcurrency()));
            int instances = service.getMaxInstanceCount() > 0 ? service.getMaxInstanceCount() : 100;
            FunctionFront.Backend previous = record.front.backend();
            record.front.route(new FunctionFront.Backend(instance, timeout,
                    new Semaphore((int) Math.min(10_000L, (long) perInstance * instances))));
            if (previous != null) {
                previous.instance().close();
            }
            Function active;
            synchronized (record) {
                active = function.toBuilder().setState(Function.State.ACTIVE).setUpdateTime(now())
                        .setServiceConfig(function.getServiceConfig().toBuilder().setRevision(revisionName)).build();
                record.function = active;
                record.busy = false;
            }
            operations.succeed(operation, finished(metadata), active);
        } catch (FunctionBuild.Failure | IOException | RuntimeException e) {
            String message = "Build failed: " + e.getMessage();
            LOG.debug("deployment of {} failed: {}", record.name, message);
            synchronized (record) {
                record.function = function.toBuilder().setState(Function.State.FAILED).setUpdateTime(now())
                        .clearStateMessages().addStateMessages(StateMessage.newBuilder()
                                .setSeverity(StateMessage.Severity.ERROR).setType("BuildFailed").setMessage(message))
                        .build();
                record.busy = false;
            }
            operations.fail(operation, finished(metadata), com.google.rpc.Code.INVALID_ARGUMENT_VALUE, message);
        }
    }

    private Path source(Function function) {
        if (!function.getBuildConfig().hasSource() || !function.getBuildConfig().getSource().hasStorageSource()) {
            throw invalid("build_config.source.storage_source is required: upload the source with generateUploadUrl");
        }
        StorageSource storage = function.getBuildConfig().getSource().getStorageSource();
        return uploads.find(storage.getBucket(), storage.getObject()).orElseThrow(() -> invalid("source object gs://"
                + storage.getBucket() + "/" + storage.getObject() + " does not exist: upload it to the URL that"
                + " generateUploadUrl returned first"));
    }

    private static void checkBuildConfig(Function function) {
        BuildConfig build = function.getBuildConfig();
        List<String> problems = new ArrayList<>();
        if (build.getRuntime().isEmpty()) {
            problems.add("build_config.runtime is required");
        }
        if (build.getEntryPoint().isEmpty()) {
            problems.add("build_config.entry_point is required");
        }
        ServiceConfig service = function.getServiceConfig();
        if (service.getTimeoutSeconds() < 0 || service.getTimeoutSeconds() > 3600) {
            problems.add("service_config.timeout_seconds must be between 1 and 3600");
        }
        if (!service.getAvailableMemory().isEmpty() && memoryMb(service.getAvailableMemory()) <= 0) {
            problems.add("service_config.available_memory '" + service.getAvailableMemory() + "' is not a size such as 256Mi or 1Gi");
        }
        for (String name : service.getEnvironmentVariablesMap().keySet()) {
            if (name.startsWith("X_GOOGLE_") || name.equals("PORT") || name.startsWith("K_")) {
                problems.add("environment variable " + name + " is reserved");
            }
        }
        if (!problems.isEmpty()) {
            throw invalid(String.join("; ", problems));
        }
    }

    private Function.Builder outputs(Function.Builder builder, String name, FunctionFront front, int revision) {
        String id = name.substring(name.lastIndexOf('/') + 1);
        String project = name.split("/")[1];
        builder.setUrl(front.url());
        builder.getServiceConfigBuilder()
                .setService("projects/" + project + "/locations/" + name.split("/")[3] + "/services/" + id)
                .setUri(front.url())
                .setAllTrafficOnLatestRevision(true);
        if (builder.getServiceConfigBuilder().getServiceAccountEmail().isEmpty()) {
            builder.getServiceConfigBuilder().setServiceAccountEmail(tokens.clientEmail());
        }
        return builder;
    }

    private OperationMetadata metadata(String name, String verb) {
        return OperationMetadata.newBuilder().setCreateTime(now()).setTarget(name).setVerb(verb).setApiVersion("v2")
                .build();
    }

    private OperationMetadata finished(OperationMetadata metadata) {
        return metadata.toBuilder().setEndTime(now()).build();
    }

    private FunctionRecord record(String name) {
        if (name == null || !FUNCTION_NAME.matcher(name).matches()) {
            throw invalid("function name '" + name + "' must look like projects/{project}/locations/{location}/functions/{id}");
        }
        FunctionRecord record = functions.get(name);
        if (record == null) {
            throw Status.NOT_FOUND.withDescription("Resource '" + name + "' was not found").asRuntimeException();
        }
        return record;
    }

    private static String parentOf(String name) {
        return name.substring(0, name.indexOf("/functions/"));
    }

    /** MiB of a Cloud Functions memory size ({@code 256M}, {@code 256Mi}, {@code 1G}, {@code 1Gi}); 256 when empty. */
    static int memoryMb(String value) {
        if (value == null || value.isEmpty()) {
            return 256;
        }
        Matcher m = Pattern.compile("([0-9]{1,6})(M|Mi|G|Gi)").matcher(value);
        if (!m.matches()) {
            return -1;
        }
        int n = Integer.parseInt(m.group(1));
        return m.group(2).startsWith("G") ? n * 1024 : n;
    }

    private Timestamp now() {
        Instant now = clock.instant();
        return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    private static void sleep(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many functions exist now. */
    public int size() {
        return functions.size();
    }

    /** The function's URL front, for counting its requests. */
    public Optional<FunctionFront> front(String name) {
        return Optional.ofNullable(functions.get(name)).map(r -> r.front);
    }

    @Override
    public void close() {
        deployments.shutdownNow();
        try {
            deployments.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (FunctionRecord record : functions.values()) {
            FunctionFront.Backend backend = record.front.backend();
            record.front.close();
            if (backend != null) {
                backend.instance().close();
            }
        }
        functions.clear();
    }

    /** Deletes {@code directory} and everything in it, best effort. */
    public static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (var walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a file still open by a stopping process is left for the OS
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
