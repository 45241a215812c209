package dev.faasx.gcp.local;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A plain HTTP function: answers {@code <K_SERVICE>|<GREETING>|<body>}. */
public final class EchoFunction implements HttpFunction {
    @Override
    public void service(HttpRequest request, HttpResponse response) throws Exception {
        byte[] body = request.getInputStream().readAllBytes();
        String answer = System.getenv("K_SERVICE") + "|" + System.getenv("GREETING") + "|"
                + new String(body, StandardCharsets.UTF_8);
        response.setContentType("text/plain");
        try (OutputStream out = response.getOutputStream()) {
            out.write(answer.getBytes(StandardCharsets.UTF_8));
        }
    }
}
