package dev.faasx.aws.internal;

import java.net.ConnectException;
import java.time.Duration;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.lambda.model.Ec2ThrottledException;
import software.amazon.awssdk.services.lambda.model.ResourceNotReadyException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * The retry policy for Invoke. The SDK's default policy also retries server errors and broken connections, which
 * for an invocation may run the job twice behind the caller's back; this one retries only what certainly did not
 * run: throttling ({@code TooManyRequestsException}, {@code EC2ThrottledException}), a function not ready yet, and a
 * connection that was refused before anything was sent. Everything else reaches the caller as a typed error that
 * says whether the function may have run, so the caller's own policy decides.
 */
public final class InvokeRetries {
    private InvokeRetries() {
    }

    /** A request-level plugin that installs the policy for one Invoke call. */
    public static SdkPlugin plugin(int maxAttempts, Duration baseDelay) {
        RetryStrategy strategy = StandardRetryStrategy.builder()
                .maxAttempts(maxAttempts)
                .retryOnException(InvokeRetries::didNotRun)
                .treatAsThrottling(InvokeRetries::isThrottle)
                .backoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, Duration.ofSeconds(20)))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, Duration.ofSeconds(20)))
                .circuitBreakerEnabled(false)
                .build();
        return config -> config.overrideConfiguration(o -> o.retryStrategy(strategy));
    }

    static boolean isThrottle(Throwable t) {
        return t instanceof TooManyRequestsException || t instanceof Ec2ThrottledException;
    }

    static boolean didNotRun(Throwable t) {
        if (isThrottle(t) || t instanceof ResourceNotReadyException) {
            return true;
        }
        if (t instanceof SdkClientException) {
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                if (c instanceof ConnectException) {
                    return true;
                }
            }
        }
        return false;
    }
}
