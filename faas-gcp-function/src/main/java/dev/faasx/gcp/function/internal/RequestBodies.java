package dev.faasx.gcp.function.internal;

import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies with a size limit, so that an oversized request never fills the instance's memory. */
public final class RequestBodies {
    private RequestBodies() {
    }

    /** The whole body, or {@code null} when it is longer than {@code limit} bytes. */
    public static byte[] read(InputStream in, int limit) throws IOException {
        byte[] body = in.readNBytes(limit + 1);
        return body.length > limit ? null : body;
    }
}
