package dev.faasx.core.spec.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadArraysTest {
    private static PayloadArrays.Split split(String json, String field) {
        return PayloadArrays.split(json.getBytes(UTF_8), field);
    }

    @Nested
    class Splitting {
        @Test
        void readsTheTopLevelArrayAndEmptiesItInTheRest() {
            PayloadArrays.Split s = split("{\"job_id\":7, \"args\" : [ 104 ,105,\n0,255 ] ,\"call_id\":\"c\"}", "args");

            assertThat(s.payload()).containsExactly(104, 105, 0, 255);
            assertThat(new String(s.rest(), UTF_8)).isEqualTo("{\"job_id\":7, \"args\" : [] ,\"call_id\":\"c\"}");
        }

        @Test
        void readsAnEmptyArray() {
            PayloadArrays.Split s = split("{\"result\":[ ],\"success\":true}", "result");

            assertThat(s.payload()).isEmpty();
            assertThat(new String(s.rest(), UTF_8)).isEqualTo("{\"result\":[],\"success\":true}");
        }

        @Test
        void ignoresTheNameInsideStringsAndNestedObjects() {
            PayloadArrays.Split s = split("{\"metadata\":{\"result\":\"[9]\",\"x\":\"\\\"result\\\":[8]\"},"
                    + "\"error\":\"result\",\"result\":[1,2]}", "result");

            assertThat(s.payload()).containsExactly(1, 2);
            assertThat(new String(s.rest(), UTF_8)).endsWith("\"result\":[]}");
        }

        @Test
        void keepsWhatFollowsTheObjectSoThatTheParserStillSeesIt() {
            PayloadArrays.Split s = split("{\"args\":[1]} trailing", "args");

            assertThat(new String(s.rest(), UTF_8)).isEqualTo("{\"args\":[]} trailing");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"args\":[1,256]}", "{\"args\":[-1]}", "{\"args\":[01]}", "{\"args\":[1.0]}", "{\"args\":[1e2]}",
            "{\"args\":[1,]}", "{\"args\":[,1]}", "{\"args\":[\"1\"]}", "{\"args\":[[1]]}", "{\"args\":[1 2]}",
            "{\"args\":[1", "{\"args\":[1,2", "{\"args\":1}", "{\"args\":null}", "{\"args\":[1],\"args\":[2]}",
            "{\"\\u0061rgs\":[1]}", "[{\"args\":[1]}]", "", "{\"x\":\"unterminated", "{\"argsx\":[1]}",
            "{\"args\":[1000]}", "{\"args\":[true]}"
        })
        void leavesEveryOtherMessageToTheParser(String json) {
            assertThat(split(json, "args")).isNull();
        }
    }

    /**
     * Decodes the same messages with and without the fast path: every message, valid or not, must come out the same
     * (the same values, or the same error message).
     */
    @Nested
    class AgreeingWithTheParser {
        private final InvokeReader fast = new InvokeReader(new JsonFactory(), 0);
        private final InvokeReader plain = new InvokeReader(new JsonFactory(), Integer.MAX_VALUE);
        private final Random random = new Random(20261123);

        @Test
        void requestsDecodeTheSame() {
            for (String json : messages("args", false)) {
                assertSame(json, bytes -> describe(fast.readRequest(bytes, ErrorContext.of("test"))),
                        bytes -> describe(plain.readRequest(bytes, ErrorContext.of("test"))));
            }
        }

        @Test
        void responsesDecodeTheSame() {
            for (String json : messages("result", true)) {
                assertSame(json, bytes -> describeResponse(fast.readResponse(bytes, ErrorContext.of("test"))),
                        bytes -> describeResponse(plain.readResponse(bytes, ErrorContext.of("test"))));
            }
        }

        @Test
        void theFastPathIsTakenForLargeMessagesThroughTheDefaultReader() {
            InvokeReader byDefault = new InvokeReader(new JsonFactory());
            byte[] payload = new byte[4096];
            random.nextBytes(payload);
            byte[] json = ("{\"job_id\":3,\"args\":" + array(payload, " ") + "}").getBytes(UTF_8);

            assertThat(PayloadArrays.split(json, "args")).isNotNull();
            assertThat(byDefault.readRequest(json, ErrorContext.of("test")).value().args()).isEqualTo(payload);
        }

        private void assertSame(String json, Function<byte[], String> withFastPath,
                                Function<byte[], String> withoutFastPath) {
            byte[] bytes = json.getBytes(UTF_8);
            assertThat(outcome(withFastPath, bytes)).as(json).isEqualTo(outcome(withoutFastPath, bytes));
        }

        private String outcome(Function<byte[], String> decode, byte[] json) {
            try {
                return decode.apply(json);
            } catch (FaasException e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }

        private String describe(Decoded<InvokeRequest> d) {
            InvokeRequest r = d.value();
            return d.encoding() + " " + r.jobId() + " " + Arrays.toString(r.args()) + " " + r.callId() + " "
                    + r.metadata();
        }

        private String describeResponse(Decoded<InvokeResponse> d) {
            InvokeResponse r = d.value();
            return d.encoding() + " " + r.jobId() + " " + Arrays.toString(r.result()) + " " + r.success() + " "
                    + r.error() + " " + r.errorType() + " " + r.callId() + " " + r.metadata() + " "
                    + r.executionDuration() + " " + r.memoryUsedMb() + " " + r.coldStart() + " " + r.initDuration();
        }

        /** Valid messages in many shapes, and broken copies of them. */
        private List<String> messages(String field, boolean response) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                byte[] payload = new byte[random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(3000)];
                random.nextBytes(payload);
                String ws = List.of("", " ", "\n", " \t ").get(random.nextInt(4));
                List<String> members = new ArrayList<>();
                members.add("\"job_id\"" + ws + ":" + ws + random.nextInt(1000));
                members.add("\"" + field + "\"" + ws + ":" + ws + array(payload, ws));
                members.add("\"metadata\":{\"" + field + "\":\"[1,2]\",\"k\":\"\\\"" + field + "\\\":[3]\"}");
                members.add("\"call_id\":\"c-" + i + "\"");
                if (response) {
                    members.add("\"success\":" + random.nextBoolean());
                    members.add("\"error\":\"" + field + "\"");
                    members.add("\"execution_ms\":" + random.nextInt(100));
                }
                if (random.nextInt(10) == 0) {
                    members.add("\"" + field + "_base64\":\"AQI=\"");
                }
                if (random.nextInt(10) == 0) {
                    members.add("\"" + field + "\":[5]");
                }
                java.util.Collections.shuffle(members, random);
                String json = "{" + ws + String.join("," + ws, members) + ws + "}";
                out.add(json);
                out.add(corrupt(json));
                out.add(json.substring(0, random.nextInt(json.length())));
            }
            out.add("{\"job_id\":1,\"" + field + "\":[1,256],\"success\":true}");
            out.add("{\"job_id\":1,\"" + field + "\":[1,-2],\"success\":true}");
            out.add("{\"job_id\":1,\"" + field + "\":[1,2]} {}");
            return out;
        }

        private String corrupt(String json) {
            char[] chars = json.toCharArray();
            int at = random.nextInt(chars.length);
            chars[at] = "[]{},:\"0-. x".charAt(random.nextInt(12));
            return new String(chars);
        }
    }

    private static String array(byte[] payload, String ws) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < payload.length; i++) {
            if (i > 0) {
                sb.append(',').append(i % 7 == 0 ? ws : "");
            }
            sb.append(payload[i] & 0xFF);
        }
        return sb.append(']').toString();
    }
}
