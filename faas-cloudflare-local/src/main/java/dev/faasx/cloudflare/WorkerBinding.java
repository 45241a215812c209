package dev.faasx.cloudflare;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A binding of a Worker run by {@link LocalWorkersRuntime}: a value or a resource that the Worker sees on its
 * {@code env} object under {@link #name()}. These are the binding kinds the local runtime supports; they match the
 * Workers upload API's {@code plain_text} (and {@code secret_text}), {@code json}, {@code analytics_engine},
 * {@code kv_namespace}, {@code d1} and {@code durable_object_namespace} bindings. KV namespaces and D1 databases are
 * served by the KV and D1 Workers that workerd bundles, on SQLite-backed Durable Objects stored on the runtime's
 * disk, so their data outlives a redeploy of the Worker.
 *
 * <pre>{@code
 * List<WorkerBinding> bindings = List.of(
 *     WorkerBinding.text("GREETING", "hello"),
 *     WorkerBinding.analyticsEngine("METRICS", "my_dataset"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface WorkerBinding permits WorkerBinding.Text, WorkerBinding.Json, WorkerBinding.AnalyticsEngine,
        WorkerBinding.KvNamespace, WorkerBinding.D1Database, WorkerBinding.DurableObjectNamespace {

    /** Binding names are JavaScript identifiers. */
    Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]{0,127}");

    /** Dataset names of Analytics Engine: letters, digits and underscores. */
    Pattern DATASET = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    /** The name under which the Worker finds the binding on {@code env}. */
    String name();

    /** A string, as {@code plain_text} and {@code secret_text} bindings are. */
    static Text text(String name, String value) {
        return new Text(name, value);
    }

    /** A value parsed from JSON text. */
    static Json json(String name, String json) {
        return new Json(name, json);
    }

    /** An Analytics Engine dataset: {@code env[name].writeDataPoint(...)} records a data point in it. */
    static AnalyticsEngine analyticsEngine(String name, String dataset) {
        return new AnalyticsEngine(name, dataset);
    }

    /** A KV namespace, by its id: {@code env[name].get(key)}, {@code put}, {@code delete}, {@code list}. */
    static KvNamespace kvNamespace(String name, String namespaceId) {
        return new KvNamespace(name, namespaceId);
    }

    /** A D1 database, by its id: {@code env[name].prepare(sql).bind(...).all()} and the rest of D1's API. */
    static D1Database d1(String name, String databaseId) {
        return new D1Database(name, databaseId);
    }

    /** The namespace of a Durable Object class that the Worker's main module exports. */
    static DurableObjectNamespace durableObject(String name, String className) {
        return new DurableObjectNamespace(name, className);
    }

    /** A string binding. */
    record Text(String name, String value) implements WorkerBinding {
        public Text {
            checkName(name);
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            // Values may be secrets: never print them.
            return "Text[" + name + ", " + value.length() + " chars]";
        }
    }

    /** A JSON binding; the text must be valid JSON (the runtime rejects it otherwise). */
    record Json(String name, String json) implements WorkerBinding {
        public Json {
            checkName(name);
            Objects.requireNonNull(json, "json");
        }

        @Override
        public String toString() {
            return "Json[" + name + ", " + json.length() + " chars]";
        }
    }

    /** An Analytics Engine dataset binding. */
    record AnalyticsEngine(String name, String dataset) implements WorkerBinding {
        public AnalyticsEngine {
            checkName(name);
            Objects.requireNonNull(dataset, "dataset");
            if (!DATASET.matcher(dataset).matches()) {
                throw new IllegalArgumentException("dataset name must be letters, digits and '_' (at most 64), was '"
                        + dataset + "'");
            }
        }
    }

    /** A KV namespace binding. */
    record KvNamespace(String name, String namespaceId) implements WorkerBinding {
        public KvNamespace {
            checkName(name);
            checkId(namespaceId, "namespace id");
        }
    }

    /** A D1 database binding. */
    record D1Database(String name, String databaseId) implements WorkerBinding {
        public D1Database {
            checkName(name);
            checkId(databaseId, "database id");
        }
    }

    /** A Durable Object namespace binding to a class of the same Worker. */
    record DurableObjectNamespace(String name, String className) implements WorkerBinding {
        public DurableObjectNamespace {
            checkName(name);
            Objects.requireNonNull(className, "className");
            if (!className.matches("[A-Za-z_$][A-Za-z0-9_$]{0,127}")) {
                throw new IllegalArgumentException("class name must be a JavaScript identifier, was '" + className
                        + "'");
            }
        }
    }

    private static void checkId(String id, String what) {
        Objects.requireNonNull(id, what);
        if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException(what + " must be 1-64 letters, digits, '-' or '_', was '" + id + "'");
        }
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("binding name must be a JavaScript identifier, was '" + name + "'");
        }
    }
}
