package dev.faasx.cloudflare.internal.local;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into tokens: words, numbers, symbols, and string literals (returned with a leading {@code '} and
 * their escapes resolved: {@code ''} and {@code \'} are quotes, {@code \\} a backslash).
 */
final class SqlTokens {
    private static final int MAX_SQL = 64 * 1024;

    private SqlTokens() {
    }

    static List<String> tokenize(String sql) throws SqlParser.SqlException {
        if (sql.length() > MAX_SQL) {
            throw new SqlParser.SqlException("the query is longer than " + MAX_SQL + " characters");
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                while (i < sql.length() && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\'') {
                StringBuilder sb = new StringBuilder("'");
                i++;
                boolean closed = false;
                while (i < sql.length()) {
                    char d = sql.charAt(i);
                    if (d == '\\' && i + 1 < sql.length()) {
                        sb.append(sql.charAt(i + 1));
                        i += 2;
                    } else if (d == '\'' && i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                        sb.append('\'');
                        i += 2;
                    } else if (d == '\'') {
                        i++;
                        closed = true;
                        break;
                    } else {
                        sb.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new SqlParser.SqlException("a string literal is not closed");
                }
                out.add(sb.toString());
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                out.add(sql.substring(start, i));
            } else if (Character.isDigit(c)) {
                int start = i;
                while (i < sql.length() && (Character.isDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
                    i++;
                }
                out.add(sql.substring(start, i));
            } else if ((c == '<' || c == '>' || c == '!') && i + 1 < sql.length()
                    && (sql.charAt(i + 1) == '=' || (c == '<' && sql.charAt(i + 1) == '>'))) {
                out.add(sql.substring(i, i + 2));
                i += 2;
            } else if ("(),*=<>;+-".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                i++;
            } else {
                throw new SqlParser.SqlException("unexpected character '" + c + "' at position " + i);
            }
        }
        return out;
    }
}
