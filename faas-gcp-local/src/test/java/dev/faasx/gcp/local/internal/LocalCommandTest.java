package dev.faasx.gcp.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalCommandTest {
    @Test
    void readsTheOptions() {
        LocalCommand.Options options = LocalCommand.parse(new String[] {"--port", "9090", "--http-port", "9091",
            "--project", "my-project", "--credentials", "/tmp/k.json"});
        assertThat(options).isEqualTo(new LocalCommand.Options(9090, 9091, "my-project", Path.of("/tmp/k.json"), null));
        assertThat(LocalCommand.parse(new String[0]).port()).isEqualTo(8089);
        assertThat(LocalCommand.parse(new String[] {"--help"})).isNull();
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> LocalCommand.parse(new String[] {"--port", "x"})).hasMessageContaining("--port");
        assertThatThrownBy(() -> LocalCommand.parse(new String[] {"--port"})).hasMessageContaining("missing value");
        assertThatThrownBy(() -> LocalCommand.parse(new String[] {"--colour", "red"}))
                .hasMessageContaining("unknown option --colour");
    }
}
