package dev.faasx.core.internal;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Sends HTTP requests with the JDK client's blocking {@link HttpClient#send} on threads of its own, and answers with a
 * future, for executors whose calls are short round trips.
 *
 * <p>Why not {@link HttpClient#sendAsync}: its future is completed through {@code CompletableFuture}'s default
 * asynchronous pool, which is a new thread per task on machines with fewer than three CPUs, and at least two thread
 * hand-offs per call elsewhere. A blocking {@code send()} on a thread that is already running costs one hand-off to
 * that thread and one back to whoever waits for the future. Up to {@code maxThreads} requests are sent this way at
 * once; a request beyond that (or after {@link #close()}) falls back to {@code sendAsync}, so a burst never holds more
 * than {@code maxThreads} threads. Threads are daemons and end after 30 seconds without work.
 *
 * <p>The future completes on the sending thread, with the response or with the exception {@code send()} threw
 * ({@link IOException}, {@link java.net.http.HttpTimeoutException}, ...). Cancelling it aborts the request, as
 * cancelling a {@code sendAsync} future does. Thread-safe.
 */
public final class SendThreads implements AutoCloseable {
    private static final long KEEP_ALIVE_SECONDS = 30;

    private final ThreadPoolExecutor pool;

    /**
     * @param namePrefix the threads' name prefix, for example {@code faasx-cloudflare-send}
     * @param maxThreads how many requests may be sent on own threads at once; 0 sends every request with
     *                   {@code sendAsync}
     */
    public SendThreads(String namePrefix, int maxThreads) {
        if (maxThreads < 0) {
            throw new IllegalArgumentException("maxThreads must be 0 or more, not " + maxThreads);
        }
        this.pool = maxThreads == 0 ? null : new ThreadPoolExecutor(0, maxThreads, KEEP_ALIVE_SECONDS,
                TimeUnit.SECONDS, new SynchronousQueue<>(), DaemonThreads.named(namePrefix));
    }

    /** Sends {@code request} and answers with its response; never blocks the caller. */
    public <T> CompletableFuture<HttpResponse<T>> send(HttpClient client, HttpRequest request,
                                                       HttpResponse.BodyHandler<T> handler) {
        if (pool == null) {
            return client.sendAsync(request, handler);
        }
        CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
        Sending sending = new Sending();
        // Cancelling the future aborts the request: the JDK client cancels an exchange whose send() is interrupted.
        result.whenComplete((response, failure) -> {
            if (result.isCancelled()) {
                sending.interrupt();
            }
        });
        try {
            pool.execute(() -> {
                if (!sending.begin()) {
                    return;
                }
                try {
                    result.complete(client.send(request, handler));
                } catch (InterruptedException e) {
                    result.completeExceptionally(new IOException("the request was cancelled", e));
                } catch (IOException | RuntimeException | Error e) {
                    result.completeExceptionally(e);
                } finally {
                    sending.end();
                }
            });
        } catch (RejectedExecutionException e) {
            // Every thread is busy (or this is closed): this request does not wait for one.
            return client.sendAsync(request, handler);
        }
        return result;
    }

    /** How many threads exist right now (busy or idle). */
    public int threads() {
        return pool == null ? 0 : pool.getPoolSize();
    }

    /** Lets requests being sent finish; later ones use {@code sendAsync}. Idempotent. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }

    /**
     * Which thread is sending one request, so that cancelling it interrupts that thread and never one that has moved
     * on to another request.
     */
    private static final class Sending {
        private Thread thread;
        private boolean cancelled;

        /** Whether to send at all: not when the request was cancelled before a thread took it. */
        synchronized boolean begin() {
            if (cancelled) {
                return false;
            }
            thread = Thread.currentThread();
            return true;
        }

        synchronized void interrupt() {
            cancelled = true;
            if (thread != null) {
                thread.interrupt();
            }
        }

        /** Ends the send; an interrupt meant for it does not reach the thread's next request. */
        void end() {
            synchronized (this) {
                thread = null;
            }
            Thread.interrupted();
        }
    }
}
