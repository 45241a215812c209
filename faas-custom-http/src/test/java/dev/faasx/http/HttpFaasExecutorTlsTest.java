package dev.faasx.http;

import static dev.faasx.http.Outcomes.failure;
import static dev.faasx.http.Outcomes.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faasx.core.FaasException;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProviderException;
import dev.faasx.http.FakePlatform.Answer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS and mutual TLS against a JDK {@code HttpsServer} with a self-signed certificate that {@code keytool} makes
 * for the test. Skipped when the JDK has no {@code keytool}.
 */
class HttpFaasExecutorTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final String OK_INVOKE = "{\"job_id\":7,\"result\":[111,107],\"success\":true}";

    private static KeyStore keyStore;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        assumeTrue(Files.isExecutable(keytool), "keytool is not available in " + keytool.getParent());
        Path store = dir.resolve("platform.p12");
        Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "platform",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + output);
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD);
        }
    }

    /** Trusts the self-signed certificate; with {@code withKey}, also presents it as the client's certificate. */
    private static SSLContext context(boolean withKey) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(withKey ? kmf.getKeyManagers() : null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static SSLContext serverContext() throws Exception {
        return context(true);
    }

    @Nested
    class Https {
        @Test
        void worksWithAContextThatTrustsThePlatform() throws Exception {
            try (FakePlatform platform = FakePlatform.startTls(serverContext(), false);
                 HttpFaasExecutor executor = HttpFaasExecutor.builder(platform.baseUri())
                         .sslContext(context(false)).build()) {
                platform.answer(Answer.json(200, OK_INVOKE));

                byte[] out = value(executor.invoke(JobCall.of(7, new byte[] {1}))).body();

                assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("ok");
            }
        }

        @Test
        void failsBeforeSendingWhenThePlatformIsNotTrusted() throws Exception {
            try (FakePlatform platform = FakePlatform.startTls(serverContext(), false);
                 HttpFaasExecutor executor = HttpFaasExecutor.create(platform.baseUri())) {
                platform.answer(Answer.json(200, OK_INVOKE));

                FaasException e = failure(executor.invoke(JobCall.of(7, new byte[] {1})));

                assertThat(e).isInstanceOf(ProviderException.class);
                assertThat(e.mayHaveRun()).isFalse();
                assertThat(e.isRetryable()).isFalse();
                assertThat(platform.requestCount()).isZero();
            }
        }
    }

    @Nested
    class MutualTls {
        @Test
        void worksWhenTheClientPresentsItsCertificate() throws Exception {
            try (FakePlatform platform = FakePlatform.startTls(serverContext(), true);
                 HttpFaasExecutor executor = HttpFaasExecutor.builder(platform.baseUri())
                         .sslContext(context(true)).build()) {
                platform.answer(Answer.json(200, OK_INVOKE));

                assertThat(value(executor.invoke(JobCall.of(7, new byte[] {1}))).body()).hasSize(2);
            }
        }

        @Test
        void failsWhenTheClientHasNoCertificate() throws Exception {
            try (FakePlatform platform = FakePlatform.startTls(serverContext(), true);
                 HttpFaasExecutor executor = HttpFaasExecutor.builder(platform.baseUri())
                         .sslContext(context(false)).build()) {
                platform.answer(Answer.json(200, OK_INVOKE));

                assertThat(failure(executor.invoke(JobCall.of(7, new byte[] {1}))))
                        .isInstanceOf(ProviderException.class);
                assertThat(platform.requestCount()).isZero();
            }
        }
    }
}
