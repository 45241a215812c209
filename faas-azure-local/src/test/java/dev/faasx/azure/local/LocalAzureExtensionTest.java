package dev.faasx.azure.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LocalAzureExtension.class)
class LocalAzureExtensionTest {
    @Test
    void injectsARunningEmulatorSharedByTheClass(LocalAzure azure, LocalAzure again) throws Exception {
        assertThat(again).isSameAs(azure);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(azure.endpoint() + "/subscriptions/s/resourcegroups/g?api-version=2024-04-01"))
                .header("Authorization", "Bearer t").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("ResourceGroupNotFound");
    }
}
