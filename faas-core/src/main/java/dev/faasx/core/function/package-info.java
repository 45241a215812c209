/**
 * The function side of the spec: running a {@link dev.faasx.core.JobHandler} as a process that reads invoke requests
 * on stdin and writes responses on stdout.
 *
 * <p>{@link dev.faasx.core.function.FunctionMain} is the process entry point (spec v1 single-shot mode and the
 * persistent-worker mode); {@link dev.faasx.core.function.FunctionHost} does the work over any pair of streams, or one
 * message at a time, for adapters and tests.
 */
package dev.faasx.core.function;
