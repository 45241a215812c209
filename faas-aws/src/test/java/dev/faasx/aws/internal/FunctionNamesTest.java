package dev.faasx.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.InvalidRequestException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FunctionNames")
class FunctionNamesTest {
    @Test
    @DisplayName("names functions {prefix}-job-{id}, valid for Lambda for every job id")
    void validForEveryId() {
        FunctionNames names = new FunctionNames("x".repeat(FunctionNames.MAX_PREFIX_LENGTH), "aws-lambda");
        for (long id : new long[] {0, 7, -7, Long.MAX_VALUE, Long.MIN_VALUE}) {
            String name = names.functionName(id);
            assertThat(FunctionNames.isValidName(name)).as(name).isTrue();
            assertThat(name.length()).isLessThanOrEqualTo(64);
        }
        assertThat(new FunctionNames("faasx", "aws-lambda").functionName(7)).isEqualTo("faasx-job-7");
    }

    @Test
    @DisplayName("keeps negative and positive ids apart")
    void negativeIdsDistinct() {
        FunctionNames names = new FunctionNames("p", "aws-lambda");
        assertThat(names.functionName(-7)).isEqualTo("p-job-n7").isNotEqualTo(names.functionName(7));
    }

    @Test
    @DisplayName("rejects prefixes Lambda would not accept in a name, or too long to fit every id")
    void rejectsBadPrefixes() {
        for (String prefix : new String[] {"", "has space", "dots.in.name", "x".repeat(40), "ü"}) {
            assertThatThrownBy(() -> new FunctionNames(prefix, "aws-lambda"))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("prefix");
        }
        assertThatThrownBy(() -> new FunctionNames(null, "aws-lambda")).isInstanceOf(InvalidRequestException.class);
    }
}
