package dev.faasx.aws.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.aws.local.internal.LambdaApiServer.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The management half of the emulated Lambda API: functions, code and configuration updates with their state machine,
 * versions, aliases, reserved and provisioned concurrency. Every method runs under the emulator's lock.
 */
final class ControlPlane {
    private final LambdaApiServer service;
    private final Invocations invocations;
    /** Lambda's limit on a package deployed from S3 (the extracted size limit, which a zip cannot exceed here). */
    private static final int MAX_S3_PACKAGE_BYTES = 250 * 1024 * 1024;

    private final Map<String, String> versionStates = new LinkedHashMap<>();

    ControlPlane(LambdaApiServer service, Invocations invocations) {
        this.service = service;
        this.invocations = invocations;
    }

    Response handle(String operation, String name, String item, Map<String, String> query, byte[] body) {
        synchronized (service.lock) {
            return switch (operation) {
                case "CreateFunction" -> create(ApiJson.read(body));
                case "ListFunctions" -> list();
                case "GetFunction" -> getFunction(name, query.get("Qualifier"));
                case "GetFunctionConfiguration" -> Response.json(200,
                        configuration(existing(name), query.get("Qualifier")));
                case "UpdateFunctionCode" -> updateCode(name, ApiJson.read(body));
                case "UpdateFunctionConfiguration" -> updateConfiguration(name, ApiJson.read(body));
                case "DeleteFunction" -> delete(name, query.get("Qualifier"));
                case "PublishVersion" -> publish(name);
                case "CreateAlias" -> createAlias(name, ApiJson.read(body));
                case "GetAlias" -> Response.json(200, alias(existing(name), item));
                case "UpdateAlias" -> updateAlias(name, item, ApiJson.read(body));
                case "DeleteAlias" -> deleteAlias(name, item);
                case "PutFunctionConcurrency" -> putConcurrency(name, ApiJson.read(body));
                case "DeleteFunctionConcurrency" -> {
                    existing(name).reservedConcurrency = null;
                    yield Response.empty(204);
                }
                case "PutProvisionedConcurrencyConfig" -> putProvisioned(name, query.get("Qualifier"),
                        ApiJson.read(body));
                case "GetProvisionedConcurrencyConfig" -> Response.json(200,
                        provisionedJson(provisioned(existing(name), query.get("Qualifier"))));
                case "DeleteProvisionedConcurrencyConfig" -> {
                    FunctionRecord fn = existing(name);
                    provisioned(fn, query.get("Qualifier"));
                    fn.provisioned.remove(query.get("Qualifier"));
                    invocations.dropProvisioned(fn.name, query.get("Qualifier"));
                    yield Response.empty(204);
                }
                default -> throw new ApiError(404, "UnknownOperationException", "Unknown operation " + operation);
            };
        }
    }

    private Response create(JsonNode req) {
        String name = req.path("FunctionName").asText("");
        if (!RequestValues.NAME.matcher(name).matches()) {
            throw new ApiError(400, "ValidationException", "1 validation error detected: Value '" + name
                    + "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression"
                    + " pattern: [a-zA-Z0-9-_]+ and have length less than or equal to 64");
        }
        String role = req.path("Role").asText("");
        if (!RequestValues.ROLE.matcher(role).matches()) {
            throw new ApiError(400, "ValidationException", "1 validation error detected: Value '" + role
                    + "' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern");
        }
        if (service.functions.containsKey(name)) {
            throw ApiError.conflict("Function already exist: " + name);
        }
        byte[] code = code(req.path("Code"));
        CodeSnapshot snapshot = new CodeSnapshot("$LATEST", code, RequestValues.sha256(code),
                RequestValues.runtime(req.path("Runtime")),
                req.path("Handler").asText(""), RequestValues.architecture(req.path("Architectures")),
                RequestValues.memory(req.path("MemorySize"), 128), RequestValues.timeout(req.path("Timeout"), 3),
                RequestValues.environment(req.path("Environment")), LambdaApiServer.now(),
                RequestValues.logFormat(req.path("LoggingConfig"), "Text"));
        FunctionRecord fn = new FunctionRecord(name, LambdaApiServer.arn(name));
        fn.role = role;
        fn.description = req.path("Description").asText("");
        fn.tags = ApiJson.stringMap(req.path("Tags"));
        fn.latest = snapshot;
        fn.lastModified = snapshot.lastModified();
        fn.state = "Pending";
        fn.stateReason = "The function is being created.";
        fn.stateReasonCode = "Creating";
        service.functions.put(name, fn);
        service.later(() -> {
            if (service.functions.get(name) == fn) {
                fn.state = "Active";
                fn.stateReason = null;
                fn.stateReasonCode = null;
                fn.lastUpdateStatus = "Successful";
            }
        });
        return Response.json(201, configJson(fn, snapshot, fn.state));
    }

    /**
     * The package of a CreateFunction {@code Code} or an UpdateFunctionCode request: {@code ZipFile} (base64), or
     * {@code S3Bucket} and {@code S3Key} (optionally {@code S3ObjectVersion}) naming an object in the emulator's S3.
     */
    private byte[] code(JsonNode source) {
        String zip = source.path("ZipFile").asText(null);
        String bucket = source.path("S3Bucket").asText(null);
        if (zip != null && bucket != null) {
            throw ApiError.invalid("Please do not provide other FunctionCode parameters when providing a ZipFile.");
        }
        if (bucket == null) {
            return RequestValues.zip(zip);
        }
        String key = source.path("S3Key").asText(null);
        if (key == null || key.isEmpty()) {
            throw ApiError.invalid("S3Key is required when S3Bucket is given.");
        }
        byte[] code = service.objects.read(bucket, key).orElseThrow(() -> ApiError.invalid("Error occurred while"
                + " GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."));
        if (code.length > MAX_S3_PACKAGE_BYTES) {
            throw ApiError.invalid("Unzipped size must be smaller than " + MAX_S3_PACKAGE_BYTES + " bytes");
        }
        Zips.check(code);
        return code;
    }

    /** All functions' {@code $LATEST} configurations, in one page. */
    private Response list() {
        ObjectNode out = ApiJson.object();
        var array = out.putArray("Functions");
        for (FunctionRecord fn : service.functions.values()) {
            array.add(configJson(fn, fn.latest, fn.state));
        }
        return Response.json(200, out);
    }

    private Response getFunction(String name, String qualifier) {
        FunctionRecord fn = existing(name);
        ObjectNode out = ApiJson.object();
        out.set("Configuration", configuration(fn, qualifier));
        ObjectNode code = out.putObject("Code");
        code.put("RepositoryType", "S3");
        code.put("Location", "https://awslambda-" + LambdaApiServer.REGION + "-tasks.s3.amazonaws.com/snapshots/"
                + LambdaApiServer.ACCOUNT + "/" + name);
        if (fn.reservedConcurrency != null) {
            out.putObject("Concurrency").put("ReservedConcurrentExecutions", fn.reservedConcurrency);
        }
        ObjectNode tags = out.putObject("Tags");
        fn.tags.forEach(tags::put);
        return Response.json(200, out);
    }

    private ObjectNode configuration(FunctionRecord fn, String qualifier) {
        if (qualifier == null || qualifier.equals("$LATEST")) {
            return configJson(fn, fn.latest, fn.state);
        }
        String version = fn.aliases.getOrDefault(qualifier, qualifier);
        CodeSnapshot snapshot = fn.versions.get(version);
        if (snapshot == null) {
            throw ApiError.notFound("Function not found: " + fn.arn + ":" + qualifier);
        }
        return configJson(fn, snapshot, versionStates.getOrDefault(fn.name + ":" + version, "Active"));
    }

    private Response updateCode(String name, JsonNode req) {
        FunctionRecord fn = existing(name);
        requireIdle(fn);
        byte[] code = code(req);
        CodeSnapshot c = fn.latest;
        String architecture = req.has("Architectures")
                ? RequestValues.architecture(req.path("Architectures")) : c.architecture();
        CodeSnapshot next = new CodeSnapshot("$LATEST", code, RequestValues.sha256(code), c.runtime(), c.handler(),
                architecture, c.memoryMb(), c.timeoutSeconds(), c.environment(), LambdaApiServer.now(),
                c.logFormat());
        return beginUpdate(fn, next);
    }

    private Response updateConfiguration(String name, JsonNode req) {
        FunctionRecord fn = existing(name);
        requireIdle(fn);
        CodeSnapshot c = fn.latest;
        if (req.has("Role")) {
            String role = req.path("Role").asText();
            if (!RequestValues.ROLE.matcher(role).matches()) {
                throw new ApiError(400, "ValidationException", "Value '" + role + "' at 'role' is not a role ARN");
            }
            fn.role = role;
        }
        CodeSnapshot next = new CodeSnapshot("$LATEST", c.code(), c.codeSha256(),
                req.has("Runtime") ? RequestValues.runtime(req.path("Runtime")) : c.runtime(),
                req.has("Handler") ? req.path("Handler").asText() : c.handler(), c.architecture(),
                RequestValues.memory(req.path("MemorySize"), c.memoryMb()),
                RequestValues.timeout(req.path("Timeout"), c.timeoutSeconds()),
                req.has("Environment") ? RequestValues.environment(req.path("Environment")) : c.environment(),
                LambdaApiServer.now(), RequestValues.logFormat(req.path("LoggingConfig"), c.logFormat()));
        return beginUpdate(fn, next);
    }

    private Response beginUpdate(FunctionRecord fn, CodeSnapshot next) {
        fn.lastUpdateStatus = "InProgress";
        fn.lastUpdateStatusReason = "The function is being updated.";
        fn.lastUpdateStatusReasonCode = null;
        fn.lastModified = next.lastModified();
        fn.revisionId = UUID.randomUUID().toString();
        service.later(() -> {
            if (service.functions.get(fn.name) == fn) {
                fn.latest = next;
                fn.lastUpdateStatus = "Successful";
                fn.lastUpdateStatusReason = null;
                invocations.retire(fn);
            }
        });
        return Response.json(200, configJson(fn, next, fn.state));
    }

    /** Another client's update: the function is InProgress for one state delay. */
    void startOutOfBandUpdate(String name) {
        synchronized (service.lock) {
            FunctionRecord fn = service.functions.get(name);
            if (fn != null && !fn.busy()) {
                beginUpdate(fn, fn.latest);
            }
        }
    }

    private Response delete(String name, String qualifier) {
        FunctionRecord fn = existing(name);
        if (qualifier == null) {
            service.functions.remove(name);
            invocations.removeAll(name);
            return Response.empty(204);
        }
        if (!fn.versions.containsKey(qualifier)) {
            throw ApiError.notFound("Function not found: " + fn.arn + ":" + qualifier);
        }
        var referencing = fn.aliases.entrySet().stream().filter(e -> e.getValue().equals(qualifier))
                .map(Map.Entry::getKey).toList();
        if (!referencing.isEmpty()) {
            throw ApiError.conflict("Unable to delete version because the following aliases reference it: "
                    + referencing);
        }
        fn.versions.remove(qualifier);
        invocations.retire(fn);
        return Response.empty(204);
    }

    private Response publish(String name) {
        FunctionRecord fn = existing(name);
        requireIdle(fn);
        for (CodeSnapshot v : fn.versions.values()) {
            if (v.sameAs(fn.latest) && v.version().equals(Integer.toString(fn.nextVersion - 1))) {
                return Response.json(201, configJson(fn, v, versionStates.get(name + ":" + v.version())));
            }
        }
        String version = Integer.toString(fn.nextVersion++);
        CodeSnapshot snapshot = fn.latest.withVersion(version);
        fn.versions.put(version, snapshot);
        String key = name + ":" + version;
        versionStates.put(key, "Pending");
        service.later(() -> versionStates.put(key, "Active"));
        return Response.json(201, configJson(fn, snapshot, "Pending"));
    }

    private Response createAlias(String name, JsonNode req) {
        FunctionRecord fn = existing(name);
        String alias = req.path("Name").asText("");
        String version = req.path("FunctionVersion").asText("");
        if (fn.aliases.containsKey(alias)) {
            throw ApiError.conflict("Alias already exists: " + fn.arn + ":" + alias);
        }
        requireVersion(fn, version);
        fn.aliases.put(alias, version);
        fn.aliasRevisions.put(alias, UUID.randomUUID().toString());
        return Response.json(201, alias(fn, alias));
    }

    private Response updateAlias(String name, String alias, JsonNode req) {
        FunctionRecord fn = existing(name);
        alias(fn, alias);
        if (req.has("FunctionVersion")) {
            String version = req.path("FunctionVersion").asText();
            requireVersion(fn, version);
            boolean moved = !version.equals(fn.aliases.put(alias, version));
            fn.aliasRevisions.put(alias, UUID.randomUUID().toString());
            FunctionRecord.ProvisionedConfig config = fn.provisioned.get(alias);
            if (moved && config != null) {
                provision(fn, alias, config.requested);
            }
        }
        return Response.json(200, alias(fn, alias));
    }

    private Response deleteAlias(String name, String alias) {
        FunctionRecord fn = existing(name);
        if (fn.aliases.remove(alias) != null) {
            fn.provisioned.remove(alias);
            invocations.dropProvisioned(name, alias);
        }
        return Response.empty(204);
    }

    private ObjectNode alias(FunctionRecord fn, String alias) {
        String version = fn.aliases.get(alias);
        if (version == null) {
            throw ApiError.notFound("Cannot find alias arn: " + fn.arn + ":" + alias);
        }
        ObjectNode out = ApiJson.object();
        out.put("AliasArn", fn.arn + ":" + alias);
        out.put("Name", alias);
        out.put("FunctionVersion", version);
        out.put("Description", "");
        out.put("RevisionId", fn.aliasRevisions.get(alias));
        return out;
    }

    private Response putConcurrency(String name, JsonNode req) {
        FunctionRecord fn = existing(name);
        int wanted = req.path("ReservedConcurrentExecutions").asInt(-1);
        int others = service.functions.values().stream().filter(f -> f != fn && f.reservedConcurrency != null)
                .mapToInt(f -> f.reservedConcurrency).sum();
        if (wanted < 0 || service.accountConcurrency - others - wanted < service.unreservedMinimum) {
            throw ApiError.invalid("Specified ReservedConcurrentExecutions for function decreases account's"
                    + " UnreservedConcurrentExecution below its minimum value of [" + service.unreservedMinimum
                    + "].");
        }
        fn.reservedConcurrency = wanted;
        ObjectNode out = ApiJson.object();
        out.put("ReservedConcurrentExecutions", wanted);
        return Response.json(200, out);
    }

    private Response putProvisioned(String name, String qualifier, JsonNode req) {
        FunctionRecord fn = existing(name);
        if (qualifier == null || qualifier.equals("$LATEST") || !fn.aliases.containsKey(qualifier)
                && !fn.versions.containsKey(qualifier)) {
            throw ApiError.invalid("Provisioned Concurrency Configs cannot be applied to unpublished function"
                    + " versions.");
        }
        int wanted = req.path("ProvisionedConcurrentExecutions").asInt(0);
        if (wanted < 1 || fn.reservedConcurrency != null && wanted > fn.reservedConcurrency) {
            throw ApiError.invalid("Requested Provisioned Concurrency should not be greater than the"
                    + " reservedConcurrentExecution for function");
        }
        provision(fn, qualifier, wanted);
        return Response.json(202, provisionedJson(fn.provisioned.get(qualifier)));
    }

    private void provision(FunctionRecord fn, String qualifier, int wanted) {
        FunctionRecord.ProvisionedConfig config = new FunctionRecord.ProvisionedConfig(wanted, LambdaApiServer.now());
        fn.provisioned.put(qualifier, config);
        CodeSnapshot snapshot = fn.versions.get(fn.aliases.getOrDefault(qualifier, qualifier));
        invocations.provision(fn, qualifier, snapshot, config);
    }

    private FunctionRecord.ProvisionedConfig provisioned(FunctionRecord fn, String qualifier) {
        FunctionRecord.ProvisionedConfig config = qualifier == null ? null : fn.provisioned.get(qualifier);
        if (config == null) {
            throw new ApiError(404, "ProvisionedConcurrencyConfigNotFoundException",
                    "No Provisioned Concurrency Config found for this function");
        }
        return config;
    }

    static ObjectNode provisionedJson(FunctionRecord.ProvisionedConfig c) {
        ObjectNode out = ApiJson.object();
        out.put("RequestedProvisionedConcurrentExecutions", c.requested);
        out.put("AvailableProvisionedConcurrentExecutions", c.available);
        out.put("AllocatedProvisionedConcurrentExecutions", c.available);
        out.put("Status", c.status);
        if (c.statusReason != null) {
            out.put("StatusReason", c.statusReason);
        }
        out.put("LastModified", c.lastModified);
        return out;
    }

    private ObjectNode configJson(FunctionRecord fn, CodeSnapshot s, String state) {
        ObjectNode c = ApiJson.object();
        c.put("FunctionName", fn.name);
        c.put("FunctionArn", s.version().equals("$LATEST") ? fn.arn : fn.arn + ":" + s.version());
        c.put("Runtime", s.runtime());
        c.put("Role", fn.role);
        c.put("Handler", s.handler());
        c.put("CodeSize", s.code().length);
        c.put("CodeSha256", s.codeSha256());
        c.put("Description", fn.description);
        c.put("Timeout", s.timeoutSeconds());
        c.put("MemorySize", s.memoryMb());
        c.put("LastModified", s.version().equals("$LATEST") ? fn.lastModified : s.lastModified());
        c.put("Version", s.version());
        c.put("RevisionId", fn.revisionId);
        c.put("PackageType", "Zip");
        c.putArray("Architectures").add(s.architecture());
        c.putObject("EphemeralStorage").put("Size", 512);
        ObjectNode logging = c.putObject("LoggingConfig");
        logging.put("LogFormat", s.logFormat());
        logging.put("LogGroup", "/aws/lambda/" + fn.name);
        ObjectNode vars = c.putObject("Environment").putObject("Variables");
        s.environment().forEach(vars::put);
        c.put("State", state);
        if (s.version().equals("$LATEST")) {
            putIfSet(c, "StateReason", fn.stateReason);
            putIfSet(c, "StateReasonCode", fn.stateReasonCode);
            putIfSet(c, "LastUpdateStatus", fn.lastUpdateStatus);
            putIfSet(c, "LastUpdateStatusReason", fn.lastUpdateStatusReason);
            putIfSet(c, "LastUpdateStatusReasonCode", fn.lastUpdateStatusReasonCode);
        } else {
            c.put("LastUpdateStatus", "Successful");
        }
        return c;
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    FunctionRecord existing(String name) {
        FunctionRecord fn = name == null ? null : service.functions.get(name);
        if (fn == null) {
            throw ApiError.notFound("Function not found: " + LambdaApiServer.arn(String.valueOf(name)));
        }
        return fn;
    }

    private static void requireIdle(FunctionRecord fn) {
        if ("Pending".equals(fn.state)) {
            throw ApiError.conflict("The operation cannot be performed at this time. The function is currently in"
                    + " the following state: Pending");
        }
        if ("InProgress".equals(fn.lastUpdateStatus)) {
            throw ApiError.conflict("The operation cannot be performed at this time. An update is in progress for"
                    + " resource: " + fn.arn);
        }
    }

    private static void requireVersion(FunctionRecord fn, String version) {
        if (!version.equals("$LATEST") && !fn.versions.containsKey(version)) {
            throw ApiError.notFound("Function not found: " + fn.arn + ":" + version);
        }
    }
}
