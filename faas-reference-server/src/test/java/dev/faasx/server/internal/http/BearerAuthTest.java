package dev.faasx.server.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BearerAuthTest {

    @Test
    void permitsEverythingWithoutAKey() {
        assertThat(new BearerAuth(Optional.empty()).permits(null)).isTrue();
    }

    @Test
    void permitsOnlyTheExactKeyAsABearerToken() {
        BearerAuth auth = new BearerAuth(Optional.of("k3y"));

        assertThat(auth.permits("Bearer k3y")).isTrue();
        assertThat(auth.permits("bearer k3y")).isTrue();
        assertThat(auth.permits(null)).isFalse();
        assertThat(auth.permits("k3y")).isFalse();
        assertThat(auth.permits("Bearer k3")).isFalse();
        assertThat(auth.permits("Bearer k3y2")).isFalse();
        assertThat(auth.permits("Basic azN5")).isFalse();
    }
}
