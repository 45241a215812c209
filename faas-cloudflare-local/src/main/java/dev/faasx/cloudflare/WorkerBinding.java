package dev.faasx.cloudflare;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A binding of a Worker run by {@link LocalWorkersRuntime}: a value or a resource that the Worker sees on its
 * {@code env} object under {@link #name()}. These are the binding kinds the local runtime supports; they match the
 * Workers upload API's {@code plain_text} (and {@code secret_text}), {@code json} and {@code analytics_engine}
 * bindings.
 *
 * <pre>{@code
 * List<WorkerBinding> bindings = List.of(
 *     WorkerBinding.text("GREETING", "hello"),
 *     WorkerBinding.analyticsEngine("METRICS", "my_dataset"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface WorkerBinding permits WorkerBinding.Text, WorkerBinding.Json, WorkerBinding.AnalyticsEngine {

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

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("binding name must be a JavaScript identifier, was '" + name + "'");
        }
    }
}
