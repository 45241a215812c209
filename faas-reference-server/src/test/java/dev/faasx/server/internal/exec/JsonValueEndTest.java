package dev.faasx.server.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonValueEndTest {

    @Test
    void findsTheEndOfAnObjectWithNestedValuesAndBracketsInStrings() {
        String json = "  {\"a\":[1,{\"b\":\"}]{[\"}],\"c\":\"quote \\\" and backslash \\\\\"}\n";

        assertThat(new JsonValueEnd().scan(bytes(json), 0, json.length())).isEqualTo(json.length() - 1);
    }

    @Test
    void findsTheEndWhenTheValueArrivesInPieces() {
        byte[] json = bytes("{\"result\":[1,2],\"success\":true}");
        JsonValueEnd end = new JsonValueEnd();

        assertThat(end.scan(json, 0, 10)).isEqualTo(-1);
        assertThat(end.scan(json, 10, 20)).isEqualTo(-1);
        assertThat(end.scan(json, 20, json.length)).isEqualTo(json.length);
    }

    @Test
    void neverEndsOutputThatIsNotAnObjectOrArray() {
        byte[] text = bytes("hello {}");

        assertThat(new JsonValueEnd().scan(text, 0, text.length)).isEqualTo(-1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
