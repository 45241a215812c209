package dev.faasx.aws;

import java.util.Objects;
import java.util.Optional;

/**
 * An invocation Lambda has accepted for asynchronous (Event) processing: it is queued, and Lambda will run it (and
 * retry it up to twice if the function fails). Nothing about the function's answer is known here; the result goes to
 * the function's destinations or dead-letter queue, if configured.
 *
 * <pre>{@code
 * EventInvocation queued = lambda.invokeAsEvent(JobCall.of(7, body)).join();
 * log.info("queued call {} as AWS request {}", queued.callId(), queued.requestId().orElse("?"));
 * }</pre>
 *
 * @param jobId     the job
 * @param callId    the call's id, which the function receives in the request
 * @param requestId the AWS request id Lambda gave the queued event, when it sent one
 */
public record EventInvocation(long jobId, String callId, Optional<String> requestId) {
    public EventInvocation {
        Objects.requireNonNull(callId, "callId");
        requestId = requestId == null ? Optional.empty() : requestId;
    }
}
