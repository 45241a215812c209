package dev.faasx.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.server.internal.ApiError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PackageExtractorTest {

    @Test
    void normalisesHarmlessNames() {
        assertThat(PackageExtractor.normalize("./bootstrap")).isEqualTo("bootstrap");
        assertThat(PackageExtractor.normalize("lib//a/./b.so")).isEqualTo("lib/a/b.so");
        assertThat(PackageExtractor.normalize("dir/")).isEqualTo("dir");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "a/..", "/etc/passwd", "C:/windows", "a\\b", "nul\0byte"})
    void refusesNamesThatCouldEscape(String name) {
        assertThatThrownBy(() -> PackageExtractor.normalize(name)).isInstanceOf(ApiError.class)
                .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(400));
    }

    @Test
    void acceptsExactlyTheFunctionIdPattern() {
        assertThat(FunctionIds.isValid("a")).isTrue();
        assertThat(FunctionIds.isValid("job-7_x")).isTrue();
        assertThat(FunctionIds.isValid("9" + "a".repeat(62))).isTrue();
        assertThat(FunctionIds.isValid("9" + "a".repeat(63))).isFalse();
        assertThat(FunctionIds.isValid("")).isFalse();
        assertThat(FunctionIds.isValid("é")).isFalse();
        assertThat(FunctionIds.isValid("a/b")).isFalse();
    }
}
