package dev.faasx.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    private static final Set<String> OPTIONS = Set.of("--port", "--dir", "--n");

    @Test
    void readsTheOptionsGiven() {
        CommandLine cli = CommandLine.parse(new String[] {"--port", "8080", "--dir", "/tmp/x", "--n", "0"}, OPTIONS)
                .orElseThrow();
        assertThat(cli.port("--port")).hasValue(8080);
        assertThat(cli.path("--dir")).contains(Path.of("/tmp/x"));
        assertThat(cli.number("--n")).hasValue(0);
        assertThat(cli.text("--missing")).isEmpty();
        assertThat(CommandLine.parse(new String[0], OPTIONS).orElseThrow().port("--port")).isEmpty();
    }

    @Test
    void helpIsNotAnOptionSet() {
        assertThat(CommandLine.parse(new String[] {"--port", "1", "--help"}, OPTIONS)).isEmpty();
        assertThat(CommandLine.parse(new String[] {"-h"}, OPTIONS)).isEmpty();
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--colour", "red"}, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown option --colour");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--port"}, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("missing value after --port");
        CommandLine bad = CommandLine.parse(new String[] {"--port", "70000", "--n", "-3"}, OPTIONS).orElseThrow();
        assertThatThrownBy(() -> bad.port("--port")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--port").hasMessageContaining("70000");
        assertThatThrownBy(() -> bad.number("--n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--n").hasMessageContaining("-3");
        CommandLine huge = CommandLine.parse(new String[] {"--n", "99999999999"}, OPTIONS).orElseThrow();
        assertThatThrownBy(() -> huge.intNumber("--n")).hasMessageContaining("too large");
    }
}
