package dev.faasx.aws.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ObjectStore decodes the SDKs' aws-chunked bodies")
class ObjectStoreTest {
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    @DisplayName("joins signed chunks and skips the trailing checksum")
    void signedChunks() {
        byte[] raw = bytes("3;chunk-signature=abc\r\nfoo\r\n2;chunk-signature=def\r\nba\r\n0;chunk-signature=0\r\n"
                + "x-amz-checksum-crc32:xyz\r\n\r\n");
        assertThat(new String(ObjectStore.decodeAwsChunked(raw), StandardCharsets.ISO_8859_1)).isEqualTo("fooba");
    }

    @Test
    @DisplayName("refuses a body whose chunk sizes do not match its data")
    void broken() {
        assertThatThrownBy(() -> ObjectStore.decodeAwsChunked(bytes("ff\r\nshort\r\n0\r\n\r\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past the end");
        assertThatThrownBy(() -> ObjectStore.decodeAwsChunked(bytes("zz\r\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad chunk size");
        assertThatThrownBy(() -> ObjectStore.decodeAwsChunked(bytes("no line end")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
