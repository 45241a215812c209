package dev.faasx.server.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    @Test
    void splitsLinesDropsCarriageReturnsAndKeepsALastLineWithoutNewline() throws IOException {
        LineReader reader = new LineReader(stream("one\ntwo\r\n\nlast"));

        assertThat(text(reader.readLine(100))).isEqualTo("one");
        assertThat(text(reader.readLine(100))).isEqualTo("two");
        assertThat(text(reader.readLine(100))).isEmpty();
        assertThat(text(reader.readLine(100))).isEqualTo("last");
        assertThat(reader.readLine(100)).isNull();
    }

    @Test
    void readsLinesLongerThanItsBufferAcrossManySmallReads() throws IOException {
        String longLine = "x".repeat(50_000);
        InputStream trickle = new ByteArrayInputStream((longLine + "\nnext\n").getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        };
        LineReader reader = new LineReader(trickle);

        assertThat(text(reader.readLine(100_000))).isEqualTo(longLine);
        assertThat(text(reader.readLine(100_000))).isEqualTo("next");
    }

    @Test
    void refusesALineOverTheLimit() {
        LineReader reader = new LineReader(stream("y".repeat(20_000) + "\n"));

        assertThatThrownBy(() -> reader.readLine(10_000)).isInstanceOf(LineReader.LineTooLongException.class);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
