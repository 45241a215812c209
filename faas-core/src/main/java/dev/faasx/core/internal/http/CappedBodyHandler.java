package dev.faasx.core.internal.http;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into a byte array, refusing bodies over a limit (a broken or hostile platform cannot
 * exhaust the heap), and remembers the status once the headers have arrived, so that a connection lost while
 * reading the body can be told apart from one lost before any answer. One instance per request.
 */
public final class CappedBodyHandler implements HttpResponse.BodyHandler<byte[]> {
    private final long limit;
    private volatile HttpResponse.ResponseInfo info;

    public CappedBodyHandler(long limit) {
        this.limit = limit;
    }

    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo responseInfo) {
        this.info = responseInfo;
        OptionalLong declared = responseInfo.headers().firstValueAsLong("Content-Length");
        if (declared.isPresent() && declared.getAsLong() > limit) {
            return new Capped(HttpResponse.BodySubscribers.ofByteArray(), limit, declared.getAsLong());
        }
        return new Capped(HttpResponse.BodySubscribers.ofByteArray(), limit, -1);
    }

    /** The status of the response, once its headers have arrived; -1 before. */
    public int statusIfReceived() {
        HttpResponse.ResponseInfo current = info;
        return current == null ? -1 : current.statusCode();
    }

    /** The body was larger than the limit. */
    public static final class ResponseTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        ResponseTooLargeException(String message) {
            super(message);
        }
    }

    private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
        private final HttpResponse.BodySubscriber<byte[]> delegate;
        private final long limit;
        private final long declared;
        private final CompletableFuture<byte[]> failed = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private long received;
        private boolean done;

        Capped(HttpResponse.BodySubscriber<byte[]> delegate, long limit, long declared) {
            this.delegate = delegate;
            this.limit = limit;
            this.declared = declared;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return declared >= 0 ? failed : delegate.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            if (declared >= 0) {
                done = true;
                s.cancel();
                failed.completeExceptionally(new ResponseTooLargeException(
                        "the response declares " + declared + " bytes, more than the limit of " + limit));
                return;
            }
            delegate.onSubscribe(s);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (done) {
                return;
            }
            for (ByteBuffer b : items) {
                received += b.remaining();
            }
            if (received > limit) {
                done = true;
                subscription.cancel();
                delegate.onError(new ResponseTooLargeException(
                        "the response is larger than the limit of " + limit + " bytes"));
                return;
            }
            delegate.onNext(items);
        }

        @Override
        public void onError(Throwable throwable) {
            if (!done) {
                done = true;
                delegate.onError(throwable);
            }
        }

        @Override
        public void onComplete() {
            if (!done) {
                done = true;
                delegate.onComplete();
            }
        }
    }
}
