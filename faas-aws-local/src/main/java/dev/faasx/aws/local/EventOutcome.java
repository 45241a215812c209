package dev.faasx.aws.local;

/**
 * An asynchronous (Event) invocation that {@link LocalLambda} ran to its end, after up to two retries on function
 * errors, as Lambda does.
 *
 * @param requestId    the request id Invoke answered with
 * @param functionName the function
 * @param attempts     how many times the function ran
 * @param succeeded    whether the last attempt succeeded
 * @param payload      the last attempt's response payload (or error object), as text
 */
public record EventOutcome(String requestId, String functionName, int attempts, boolean succeeded, String payload) {
}
