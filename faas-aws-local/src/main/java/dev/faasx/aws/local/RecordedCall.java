package dev.faasx.aws.local;

/**
 * One API request {@link LocalLambda} answered, for tests that check which calls a client made.
 *
 * @param operation    the Lambda operation, for example {@code CreateFunction} or {@code Invoke}
 * @param functionName the function the request named, or {@code null}
 * @param status       the HTTP status of the answer
 * @param errorType    the error's type ({@code x-amzn-ErrorType}), or {@code null} for a success
 */
public record RecordedCall(String operation, String functionName, int status, String errorType) {
}
