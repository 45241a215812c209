package dev.faasx.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.server.ReferenceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReferenceServerExtensionTest {

    static int status(URI uri, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri.resolve("/api/functions/none")).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Nested
    @ExtendWith(ReferenceServerExtension.class)
    class RegisteredOnAClass {
        private ReferenceServer field;

        @Test
        void injectsARunningServerAsParameterAndField(ReferenceServer server) throws Exception {
            assertThat(server.baseUri().getHost()).isEqualTo("127.0.0.1");
            assertThat(server.port()).isPositive();
            assertThat(field).isSameAs(server);
            assertThat(status(server.baseUri(), null)).isEqualTo(404);
        }

        @Nested
        class AndItsNestedClasses {
            @Test
            void shareTheSameServer(ReferenceServer server) {
                assertThat(server).isSameAs(RegisteredOnAClass.this.field);
            }
        }
    }

    @Nested
    class RegisteredAsAConfiguredField {
        @RegisterExtension
        final ReferenceServerExtension extension = ReferenceServerExtension.configured(b -> b.apiKey("k-1"));

        @Test
        void startsTheServerAsConfigured() throws Exception {
            assertThat(status(extension.baseUri(), null)).isEqualTo(401);
            assertThat(status(extension.baseUri(), "Bearer k-1")).isEqualTo(404);
        }
    }
}
