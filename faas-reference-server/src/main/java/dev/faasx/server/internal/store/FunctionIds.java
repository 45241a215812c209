package dev.faasx.server.internal.store;

import dev.faasx.core.spec.ErrorCode;
import dev.faasx.server.internal.ApiError;
import java.util.Map;

/** The rule for function ids: {@code [A-Za-z0-9][A-Za-z0-9_-]{0,62}}, safe as a directory name and in a URL. */
public final class FunctionIds {
    private static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9_-]{0,62}";

    private FunctionIds() {
    }

    /** Whether {@code id} matches the pattern; checked by hand, as it runs on every request. */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > 63 || !isLetterOrDigit(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!isLetterOrDigit(c) && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** @throws ApiError {@link ErrorCode#INVALID_FUNCTION_ID} when {@code id} breaks the rule */
    public static String require(String id) {
        if (!isValid(id)) {
            String shown = printable(id);
            throw new ApiError(ErrorCode.INVALID_FUNCTION_ID, "function id '" + shown
                    + "' is invalid: use 1 to 63 letters, digits, '_' or '-', starting with a letter or digit",
                    Map.of("pattern", PATTERN));
        }
        return id;
    }

    /** The id as it can safely appear in a message: at most 80 characters, non-printable ones as '?'. */
    public static String printable(String id) {
        if (id == null) {
            return "null";
        }
        String cut = id.length() > 80 ? id.substring(0, 80) + "..." : id;
        StringBuilder sb = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return sb.toString();
    }
}
