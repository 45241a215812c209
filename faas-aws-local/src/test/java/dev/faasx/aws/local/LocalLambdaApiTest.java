package dev.faasx.aws.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The emulator's wire behaviour, spoken to with plain HTTP as any client in any language would (the Java SDK's view
 * is tested with the executor in faas-aws).
 */
@DisplayName("LocalLambda over plain HTTP")
class LocalLambdaApiTest {
    private static final String AUTH = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request,"
            + " SignedHeaders=host, Signature=0";

    @RegisterExtension
    static final LocalLambdaExtension LAMBDA = LocalLambdaExtension.create(b -> b.stateDelay(Duration.ofMillis(20))
            .accountConcurrency(50).unreservedMinimum(10));

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String path, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(LAMBDA.lambda().endpoint() + path))
                .header("Authorization", AUTH)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Nested
    @DisplayName("the Lambda API")
    class Lambda {
        @Test
        @DisplayName("answers an unknown function with 404, x-amzn-ErrorType and Lambda's error body")
        void unknownFunction(LocalLambda lambda) throws Exception {
            HttpResponse<String> response = send("GET", "/2015-03-31/functions/nope", null);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("ResourceNotFoundException");
            assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
            assertThat(response.body()).contains("\"Type\":\"User\"", "\"Message\"");
        }

        @Test
        @DisplayName("refuses unsigned requests as Lambda does")
        void unsigned() throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(LAMBDA.lambda().endpoint()
                    + "/2015-03-31/functions/")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.headers().firstValue("x-amzn-ErrorType"))
                    .contains("MissingAuthenticationTokenException");
        }

        @Test
        @DisplayName("creates a function from a zip, lists it, keeps the unreserved minimum, takes any JSON payload, and"
                + " deletes it")
        void createReserveDelete() throws Exception {
            String zip = Base64.getEncoder().encodeToString(zip("bootstrap", "#!/bin/sh\nexit 0\n"));
            String create = "{\"FunctionName\":\"plain\",\"Runtime\":\"provided.al2023\",\"Handler\":\"bootstrap\","
                    + "\"Role\":\"" + LocalLambda.roleArn() + "\",\"Code\":{\"ZipFile\":\"" + zip + "\"},"
                    + "\"LoggingConfig\":{\"LogFormat\":\"JSON\"}}";
            HttpResponse<String> created = send("POST", "/2015-03-31/functions", bytes(create));
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.body()).contains("\"State\":\"Pending\"", "\"LogFormat\":\"JSON\"");
            assertThat(send("GET", "/2015-03-31/functions/", null).body()).contains("\"FunctionName\":\"plain\"");

            HttpResponse<String> tooMuch = send("PUT", "/2017-10-31/functions/plain/concurrency",
                    bytes("{\"ReservedConcurrentExecutions\":41}"));
            assertThat(tooMuch.statusCode()).isEqualTo(400);
            assertThat(tooMuch.headers().firstValue("x-amzn-ErrorType")).contains("InvalidParameterValueException");
            assertThat(tooMuch.body()).contains("below its minimum value of [10]");
            assertThat(send("PUT", "/2017-10-31/functions/plain/concurrency",
                    bytes("{\"ReservedConcurrentExecutions\":40}")).statusCode()).isEqualTo(200);

            for (int i = 0; i < 100 && !send("GET", "/2015-03-31/functions/plain", null).body()
                    .contains("\"State\":\"Active\""); i++) {
                Thread.sleep(50);
            }
            HttpResponse<String> notJson = send("POST", "/2015-03-31/functions/plain/invocations", bytes("{oops"));
            assertThat(notJson.statusCode()).isEqualTo(400);
            assertThat(notJson.headers().firstValue("x-amzn-ErrorType")).contains("InvalidRequestContentException");
            HttpResponse<String> invoked = send("POST", "/2015-03-31/functions/plain/invocations",
                    bytes("\"any JSON value\""));
            assertThat(invoked.statusCode()).isEqualTo(200);
            assertThat(invoked.headers().firstValue("X-Amz-Function-Error")).contains("Unhandled");
            // The zip entry has no execute bit, so the runtime cannot start: Lambda's error for that.
            assertThat(invoked.body()).contains("Runtime.InvalidEntrypoint", "Permission denied");

            assertThat(send("DELETE", "/2015-03-31/functions/plain", null).statusCode()).isEqualTo(204);
            assertThat(send("GET", "/2015-03-31/functions/plain", null).statusCode()).isEqualTo(404);
        }

        @Test
        @DisplayName("creates a function from an object in its S3, and refuses a key that does not exist")
        void createFromS3() throws Exception {
            assertThat(send("PUT", "/code-bucket", null).statusCode()).isEqualTo(200);
            assertThat(send("PUT", "/code-bucket/fn.zip", zip("bootstrap", "#!/bin/sh\n")).statusCode())
                    .isEqualTo(200);
            String create = "{\"FunctionName\":\"from-s3\",\"Runtime\":\"provided.al2023\",\"Handler\":\"bootstrap\","
                    + "\"Role\":\"" + LocalLambda.roleArn() + "\",\"Code\":{\"S3Bucket\":\"code-bucket\","
                    + "\"S3Key\":\"%s\"}}";
            HttpResponse<String> created = send("POST", "/2015-03-31/functions",
                    bytes(String.format(create, "fn.zip")));
            assertThat(created.statusCode()).isEqualTo(201);
            HttpResponse<String> missing = send("POST", "/2015-03-31/functions",
                    bytes(String.format(create, "other.zip").replace("from-s3", "from-s3-b")));
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(missing.body()).contains("NoSuchKey");
        }
    }

    @Nested
    @DisplayName("the S3 object calls")
    class S3 {
        @Test
        @DisplayName("store an object sent in aws-chunked encoding with a trailing checksum, and serve it back")
        void chunkedPutThenGet() throws Exception {
            assertThat(send("PUT", "/chunks", null).statusCode()).isEqualTo(200);
            byte[] chunked = bytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
            HttpResponse<String> put = send("PUT", "/chunks/greeting.txt", chunked, "Content-Encoding",
                    "aws-chunked", "x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                    "x-amz-decoded-content-length", "11");
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.headers().firstValue("ETag")).isPresent();
            HttpResponse<String> get = send("GET", "/chunks/greeting.txt", null);
            assertThat(get.body()).isEqualTo("hello world");
            HttpResponse<String> head = send("HEAD", "/chunks/greeting.txt", null);
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).contains("11");
        }

        @Test
        @DisplayName("answer a missing key or bucket with S3's XML errors")
        void missing() throws Exception {
            assertThat(send("PUT", "/errors", null).statusCode()).isEqualTo(200);
            HttpResponse<String> noKey = send("GET", "/errors/none", null);
            assertThat(noKey.statusCode()).isEqualTo(404);
            assertThat(noKey.body()).contains("<Code>NoSuchKey</Code>");
            HttpResponse<String> noBucket = send("PUT", "/no-such-bucket/x", bytes("x"));
            assertThat(noBucket.statusCode()).isEqualTo(404);
            assertThat(noBucket.body()).contains("<Code>NoSuchBucket</Code>");
            assertThat(send("HEAD", "/errors/none", null).statusCode()).isEqualTo(404);
        }
    }

    private static byte[] zip(String name, String content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
