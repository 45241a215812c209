package dev.faasx.core.internal.runner;

import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobResult;
import dev.faasx.core.RunnerListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All of a runner's listeners as one. A listener that throws is logged and skipped, never allowed to change a
 * call's outcome. With no listener every method returns at once, which keeps the hot path free of them.
 */
final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(FaasRunner.class);

    private final RunnerListener[] listeners;

    Listeners(List<RunnerListener> listeners) {
        this.listeners = listeners.toArray(new RunnerListener[0]);
    }

    void callStarted(JobCall call) {
        if (listeners.length != 0) {
            each("callStarted", l -> l.callStarted(call));
        }
    }

    void callDelegated(JobCall call, FaasExecutor executor) {
        if (listeners.length != 0) {
            each("callDelegated", l -> l.callDelegated(call, executor));
        }
    }

    void callRetrying(JobCall call, int attempt, FaasException cause) {
        if (listeners.length != 0) {
            each("callRetrying", l -> l.callRetrying(call, attempt, cause));
        }
    }

    void callFallingBack(JobCall call, FaasException cause) {
        if (listeners.length != 0) {
            each("callFallingBack", l -> l.callFallingBack(call, cause));
        }
    }

    void callFinished(JobCall call, JobResult result) {
        if (listeners.length == 0) {
            return;
        }
        if (result instanceof JobResult.Success success) {
            each("callSucceeded", l -> l.callSucceeded(call, success));
        } else {
            JobResult.Failure failure = (JobResult.Failure) result;
            each("callFailed", l -> l.callFailed(call, failure));
        }
    }

    void consumerFailed(JobResult result, Throwable error) {
        each("consumerFailed", l -> l.consumerFailed(result, error));
    }

    void producerFailed(Throwable error) {
        each("producerFailed", l -> l.producerFailed(error));
    }

    private void each(String event, Consumer<RunnerListener> action) {
        for (RunnerListener listener : listeners) {
            try {
                action.accept(listener);
            } catch (Throwable t) {
                log.warn("listener {} failed in {}; ignored", listener.getClass().getName(), event, t);
            }
        }
    }
}
