package dev.faasx.aws.local.internal;

import java.util.Map;

/**
 * Code and configuration as one version of a function runs them: {@code $LATEST} or a published number. Execution
 * environments belong to one snapshot; a new snapshot means new environments (and so cold starts). The log format is
 * {@code Text} or {@code JSON} (the function's {@code LoggingConfig.LogFormat}).
 */
record CodeSnapshot(String version, byte[] code, String codeSha256, String runtime, String handler,
                    String architecture, int memoryMb, int timeoutSeconds, Map<String, String> environment,
                    String lastModified, String logFormat) {

    CodeSnapshot {
        environment = Map.copyOf(environment);
    }

    CodeSnapshot withVersion(String v) {
        return new CodeSnapshot(v, code, codeSha256, runtime, handler, architecture, memoryMb, timeoutSeconds,
                environment, lastModified, logFormat);
    }

    /** Whether {@code other} runs the same code with the same settings (Lambda then publishes no new version). */
    boolean sameAs(CodeSnapshot other) {
        return codeSha256.equals(other.codeSha256) && runtime.equals(other.runtime) && handler.equals(other.handler)
                && architecture.equals(other.architecture) && memoryMb == other.memoryMb
                && timeoutSeconds == other.timeoutSeconds && environment.equals(other.environment)
                && logFormat.equals(other.logFormat);
    }
}
