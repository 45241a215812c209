package dev.faasx.core.runner;

import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobResult;
import dev.faasx.core.RunnerListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event as a short line: {@code "started c-1"}, {@code "retrying c-1 2 ThrottledException"}. */
final class RecordingListener implements RunnerListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<JobResult> finished = new CopyOnWriteArrayList<>();
    final List<Throwable> consumerErrors = new CopyOnWriteArrayList<>();
    final List<Throwable> producerErrors = new CopyOnWriteArrayList<>();

    @Override
    public void callStarted(JobCall call) {
        events.add("started " + call.callId());
    }

    @Override
    public void callDelegated(JobCall call, FaasExecutor executor) {
        events.add("delegated " + call.callId() + " " + executor.providerName());
    }

    @Override
    public void callRetrying(JobCall call, int attempt, FaasException cause) {
        events.add("retrying " + call.callId() + " " + attempt + " " + cause.getClass().getSimpleName());
    }

    @Override
    public void callFallingBack(JobCall call, FaasException cause) {
        events.add("fallback " + call.callId() + " " + cause.getClass().getSimpleName());
    }

    @Override
    public void callSucceeded(JobCall call, JobResult.Success result) {
        events.add("succeeded " + call.callId());
        finished.add(result);
    }

    @Override
    public void callFailed(JobCall call, JobResult.Failure result) {
        events.add("failed " + call.callId() + " " + result.error().getClass().getSimpleName());
        finished.add(result);
    }

    @Override
    public void consumerFailed(JobResult result, Throwable error) {
        consumerErrors.add(error);
    }

    @Override
    public void producerFailed(Throwable error) {
        producerErrors.add(error);
    }

    List<String> eventsOf(String callId) {
        return events.stream().filter(e -> e.split(" ")[1].equals(callId)).toList();
    }
}
