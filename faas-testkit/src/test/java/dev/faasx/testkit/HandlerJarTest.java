package dev.faasx.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;

class HandlerJarTest {

    /** A handler with an anonymous class and a member class, to check that nested class files come along. */
    public static final class WithNestedClasses implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            Supplier<byte[]> anonymous = new Supplier<>() {
                @Override
                public byte[] get() {
                    return call.body();
                }
            };
            return JobOutput.of(new Member().twice(anonymous.get()));
        }

        static final class Member {
            byte[] twice(byte[] body) {
                byte[] out = new byte[body.length * 2];
                System.arraycopy(body, 0, out, 0, body.length);
                System.arraycopy(body, 0, out, body.length, body.length);
                return out;
            }
        }
    }

    @Test
    void holdsTheHandlerAndItsNestedClassesAndNamesTheHandler() throws IOException {
        FunctionPackage.Jar jar = HandlerJar.of(WithNestedClasses.class);
        assertThat(jar.handlerClass()).isEqualTo(WithNestedClasses.class.getName());
        assertThat(entries(jar.jar())).containsExactlyInAnyOrder(
                "dev/faasx/testkit/HandlerJarTest$WithNestedClasses.class",
                "dev/faasx/testkit/HandlerJarTest$WithNestedClasses$1.class",
                "dev/faasx/testkit/HandlerJarTest$WithNestedClasses$Member.class");
    }

    @Test
    void holdsTheCompatibilityFunctionWithItsFailureType() throws IOException {
        assertThat(entries(HandlerJar.of(CompatibilityFunction.class).jar())).containsExactlyInAnyOrder(
                "dev/faasx/testkit/CompatibilityFunction.class",
                "dev/faasx/testkit/CompatibilityFunction$RequestedFailure.class");
    }

    @Test
    void addsFurtherClassesOnRequest() throws IOException {
        assertThat(entries(HandlerJar.of(CompatibilityFunction.class, FunctionEnvironment.class).jar()))
                .contains("dev/faasx/testkit/FunctionEnvironment.class");
    }

    @Test
    void isAReadableJarWithAManifest() throws IOException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(
                HandlerJar.of(CompatibilityFunction.class).jar()))) {
            assertThat(in.getManifest()).isNotNull();
            assertThat(in.getManifest().getMainAttributes().getValue("Manifest-Version")).isEqualTo("1.0");
        }
    }

    @Test
    void isReproducible() {
        assertThat(HandlerJar.of(WithNestedClasses.class).jar()).isEqualTo(HandlerJar.of(WithNestedClasses.class).jar());
    }

    @Test
    void rejectsClassesWithoutAClassFile() {
        JobHandler lambda = call -> JobOutput.empty();
        assertThatThrownBy(() -> HandlerJar.jarBytes(lambda.getClass()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no class file");
        assertThatThrownBy(() -> HandlerJar.jarBytes(int[].class)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> entries(byte[] jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
