package dev.faasx.core;

/** Where a call ran, as recorded on its {@link JobResult}. */
public enum Placement {
    /** In the host process, by the router's local handler. */
    LOCAL,
    /** On the platform of the job's registered {@link FaasExecutor}. */
    REMOTE,
    /** Locally, because the remote call failed or its circuit was open and the job allows a local fallback. */
    LOCAL_FALLBACK,
    /** Nowhere: the job id had neither a local handler nor an executor, or the call never started. */
    NOT_RUN
}
