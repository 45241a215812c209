package dev.faasx.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.FaultyExecutor.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs parts of the kit against executors with one defect each and checks that exactly the tests that should
 * notice it fail. The nested kit subclasses are not run on their own: surefire skips nested classes, and the
 * Jupiter engine runs only {@code @Nested} ones with their enclosing class.
 */
class FaasExecutorCompatibilityKitTest {

    // The engine creates the kit subclasses itself; this is how a test gets at the executor one of them used.
    private static final Map<Class<?>, FaultyExecutor> EXECUTORS = new ConcurrentHashMap<>();

    abstract static class KitUnderTest extends FaasExecutorCompatibilityKit {
        private final FaultyExecutor executor = new FaultyExecutor(fault());

        KitUnderTest() {
            EXECUTORS.put(getClass(), executor);
        }

        abstract Fault fault();

        @Override
        protected FaasExecutor executor() {
            return executor;
        }

        @Override
        protected FunctionPackage compatibilityFunction() {
            return HandlerJar.of(CompatibilityFunction.class);
        }
    }

    static final class Sound extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.NONE;
        }
    }

    static final class SwallowsFunctionErrors extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.SWALLOWS_FUNCTION_ERRORS;
        }
    }

    static final class MislabelsTotalDuration extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.MISLABELS_TOTAL_DURATION;
        }
    }

    static final class DropsMetadata extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.DROPS_METADATA;
        }
    }

    static final class UndeployNotIdempotent extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.UNDEPLOY_NOT_IDEMPOTENT;
        }
    }

    static final class WithoutEnvironmentOrMetadata extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.DROPS_METADATA;
        }

        @Override
        protected boolean supportsEnvironmentVariables() {
            return false;
        }

        @Override
        protected boolean supportsCallMetadata() {
            return false;
        }
    }

    static final class SerializesCalls extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.SERIALIZES_CALLS;
        }

        @Override
        protected Duration overlapWindow() {
            return Duration.ofMillis(300);
        }
    }

    static final class IgnoresCancel extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.IGNORES_CANCEL;
        }
    }

    static final class RefusesWithoutNamingKinds extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.REFUSES_WITHOUT_NAMING_KINDS;
        }
    }

    static final class ExecutionIsTheTotal extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.EXECUTION_IS_THE_TOTAL;
        }
    }

    static final class ExecutionLongerThanTotal extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.EXECUTION_LONGER_THAN_TOTAL;
        }
    }

    static final class CloseNotIdempotent extends KitUnderTest {
        @Override
        Fault fault() {
            return Fault.CLOSE_NOT_IDEMPOTENT;
        }
    }

    private static Events containers(Class<? extends KitUnderTest> kit, String... nestedClasses) {
        var selectors = Stream.of(nestedClasses).map(name -> selectNestedClass(List.of(kit), nested(name)))
                .toList();
        return EngineTestKit.engine("junit-jupiter").selectors(selectors.toArray(
                new org.junit.platform.engine.DiscoverySelector[0])).execute().containerEvents();
    }

    private static Events run(Class<? extends KitUnderTest> kit, String... nestedClasses) {
        var selectors = Stream.of(nestedClasses).map(name -> selectNestedClass(List.of(kit), nested(name)))
                .toList();
        return EngineTestKit.engine("junit-jupiter").selectors(selectors.toArray(
                new org.junit.platform.engine.DiscoverySelector[0])).execute().testEvents();
    }

    private static Class<?> nested(String simpleName) {
        try {
            return Class.forName(FaasExecutorCompatibilityKit.class.getName() + "$" + simpleName);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("the kit has no nested class " + simpleName, e);
        }
    }

    private static List<String> methods(Events events) {
        return events.stream().map(e -> e.getTestDescriptor()).map(TestDescriptor::getSource)
                .map(source -> ((MethodSource) source.orElseThrow()).getMethodName()).sorted().toList();
    }

    @Test
    void passesASoundExecutorAndLeavesNothingDeployed() {
        Events events = run(Sound.class, "Deployed", "RoundTrip", "Undeployed", "Concurrency", "Metrics", "Overlap",
                "Cancellation", "PackageKinds");
        assertThat(methods(events.failed())).isEmpty();
        assertThat(events.succeeded().count()).isEqualTo(17);
        assertThat(EXECUTORS.get(Sound.class).deployed()).isEmpty();
        assertThat(EXECUTORS.get(Sound.class).isClosed()).isTrue();
    }

    @Test
    void catchesAFunctionErrorReportedAsSuccess() {
        assertThat(methods(run(SwallowsFunctionErrors.class, "Failures").failed())).containsExactly(
                "answersAfterFailure", "functionErrorFailsTheCall", "missingEnvironmentVariableFailsTheCall");
    }

    @Test
    void catchesATotalDurationNotMeasuredByTheClient() {
        assertThat(methods(run(MislabelsTotalDuration.class, "Metrics").failed())).containsExactly(
                "figuresCarryProvenance", "totalDurationIsMeasured");
    }

    @Test
    void catchesLostMetadata() {
        assertThat(methods(run(DropsMetadata.class, "RoundTrip", "Concurrency").failed())).containsExactly(
                "concurrentCallsGetTheirOwnAnswers", "echoesMetadata");
    }

    @Test
    void catchesAnUndeployThatIsNotIdempotent() {
        // isNotDescribed fails in its @AfterEach, which undeploys the job the test already undeployed.
        assertThat(methods(run(UndeployNotIdempotent.class, "Undeployed").failed())).containsExactly(
                "callsFailAfterUndeploy", "isNotDescribed", "neverDeployed");
    }

    @Test
    void skipsWhatThePlatformSaysItCannotDo() {
        Events events = run(WithoutEnvironmentOrMetadata.class, "Environment", "RoundTrip", "Concurrency");
        assertThat(methods(events.failed())).isEmpty();
        assertThat(methods(events.aborted())).containsExactly("echoesMetadata", "passesEnvironmentVariables");
    }

    @Test
    void catchesCallsThatNeverOverlap() {
        assertThat(methods(run(SerializesCalls.class, "Concurrency", "Overlap").failed()))
                .containsExactly("concurrentCallsOverlap");
    }

    @Test
    void catchesAFutureThatIgnoresCancel() {
        assertThat(methods(run(IgnoresCancel.class, "Cancellation").failed()))
                .containsExactly("cancellingStopsTheInvocation");
    }

    @Test
    void catchesARefusalThatDoesNotNameTheSupportedKinds() {
        assertThat(methods(run(RefusesWithoutNamingKinds.class, "PackageKinds").failed()))
                .containsExactly("refusesAnUnsupportedKind");
    }

    @Test
    void catchesTheClientsTotalRelabelledAsReported() {
        assertThat(methods(run(ExecutionIsTheTotal.class, "Metrics").failed())).containsExactly("figuresCarryProvenance");
    }

    @Test
    void catchesAnExecutionLongerThanTheWholeCall() {
        assertThat(methods(run(ExecutionLongerThanTotal.class, "Metrics").failed()))
                .containsExactly("figuresCarryProvenance");
    }

    @Test
    void catchesACloseThatIsNotIdempotent() {
        assertThat(containers(CloseNotIdempotent.class, "Deployed").failed().count()).isPositive();
        assertThat(containers(Sound.class, "Deployed").failed().count()).isZero();
    }
}
