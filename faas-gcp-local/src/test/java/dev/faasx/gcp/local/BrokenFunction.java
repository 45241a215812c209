package dev.faasx.gcp.local;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

/** A function whose constructor fails, as one with a missing dependency would. */
public final class BrokenFunction implements HttpFunction {
    public BrokenFunction() {
        throw new IllegalStateException("cannot start: configuration missing");
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
    }
}
