package dev.faasx.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ThrowablesTest {
    @Test
    void unwrapRemovesEveryFutureWrapperAndNothingElse() {
        IOException cause = new IOException("boom", new ConnectException("refused"));

        assertThat(Throwables.unwrap(new CompletionException(new ExecutionException(cause)))).isSameAs(cause);
        assertThat(Throwables.unwrap(cause)).isSameAs(cause);
    }

    @Test
    void unwrapKeepsAWrapperWithoutACause() {
        CompletionException bare = new CompletionException("no cause", null);

        assertThat(Throwables.unwrap(bare)).isSameAs(bare);
    }

    @Test
    void hasCauseLooksThroughTheWholeChain() {
        Throwable chain = new CompletionException(new IOException("boom", new ConnectException("refused")));

        assertThat(Throwables.hasCause(chain, ConnectException.class)).isTrue();
        assertThat(Throwables.hasCause(chain, IOException.class)).isTrue();
        assertThat(Throwables.hasCause(chain, IllegalStateException.class)).isFalse();
        assertThat(Throwables.hasCause(null, IOException.class)).isFalse();
    }
}
