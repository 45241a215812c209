package dev.faasx.server.internal.store;

import dev.faasx.core.spec.ErrorCode;
import dev.faasx.server.internal.ApiError;
import java.util.Map;
import java.util.regex.Pattern;

/** The rule for function ids: {@code [A-Za-z0-9][A-Za-z0-9_-]{0,62}}, safe as a directory name and in a URL. */
public final class FunctionIds {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    private FunctionIds() {
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** @throws ApiError {@link ErrorCode#INVALID_FUNCTION_ID} when {@code id} breaks the rule */
    public static String require(String id) {
        if (!isValid(id)) {
            String shown = printable(id);
            throw new ApiError(ErrorCode.INVALID_FUNCTION_ID, "function id '" + shown
                    + "' is invalid: use 1 to 63 letters, digits, '_' or '-', starting with a letter or digit",
                    Map.of("pattern", VALID.pattern()));
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
