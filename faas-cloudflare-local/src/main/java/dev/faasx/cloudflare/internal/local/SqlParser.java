package dev.faasx.cloudflare.internal.local;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the subset of Analytics Engine SQL that the local API runs (see {@code docs/providers/cloudflare.md}):
 * {@code SHOW TABLES}, and {@code SELECT items FROM dataset [WHERE …] [GROUP BY …] [ORDER BY …] [LIMIT n|ALL]
 * [FORMAT JSON|JSONEachRow]} where items are columns, {@code *}, or {@code SUM/COUNT/MIN/MAX/AVG} of a column or of
 * a product of two columns, each with an optional {@code AS} alias; conditions combine comparisons,
 * {@code [NOT] IN (…)} and {@code BETWEEN … AND …} with {@code AND}, {@code OR}, {@code NOT} and parentheses; operands
 * are columns, string and number literals, {@code toDateTime(…)} and {@code now() [± INTERVAL 'n' UNIT]}.
 * Anything else is refused with a message that says what is not supported.
 */
final class SqlParser {
    static final Set<String> AGGREGATES = Set.of("SUM", "COUNT", "MIN", "MAX", "AVG");

    /** A parse or evaluation error; the local API answers it with status 400. */
    static final class SqlException extends Exception {
        private static final long serialVersionUID = 1L;

        SqlException(String message) {
            super(message);
        }
    }

    sealed interface Operand permits Column, Literal, Product {
    }

    record Column(String name) implements Operand {
    }

    record Literal(Object value) implements Operand {
    }

    record Product(Column left, Column right) implements Operand {
    }

    /** A select item: a plain operand, or an aggregate over an operand (null for {@code COUNT()}). */
    record Item(String function, Operand operand, String alias) {
        boolean aggregate() {
            return function != null;
        }
    }

    sealed interface Condition permits Compare, In, And, Or, Not {
    }

    record Compare(Operand left, String op, Operand right) implements Condition {
    }

    record In(Operand left, List<Operand> values, boolean negated) implements Condition {
    }

    record And(Condition left, Condition right) implements Condition {
    }

    record Or(Condition left, Condition right) implements Condition {
    }

    record Not(Condition inner) implements Condition {
    }

    record Order(String name, boolean descending) {
    }

    /** A parsed statement; {@code showTables} queries have no items. */
    record Query(boolean showTables, List<Item> items, String table, Condition where, List<String> groupBy,
                 List<Order> orderBy, long limit, String format) {
    }

    private final List<String> tokens;
    private int pos;
    private final Instant now;

    private SqlParser(List<String> tokens, Instant now) {
        this.tokens = tokens;
        this.now = now;
    }

    static Query parse(String sql, Instant now) throws SqlException {
        SqlParser p = new SqlParser(SqlTokens.tokenize(sql), now);
        Query q = p.statement();
        p.accept(";");
        if (p.pos < p.tokens.size()) {
            throw new SqlException("unexpected '" + p.tokens.get(p.pos) + "' (the local API runs a subset of "
                    + "Analytics Engine SQL)");
        }
        return q;
    }

    private Query statement() throws SqlException {
        if (acceptWord("SHOW")) {
            expectWord("TABLES");
            return new Query(true, List.of(), null, null, List.of(), List.of(), Long.MAX_VALUE, format());
        }
        expectWord("SELECT");
        List<Item> items = new ArrayList<>();
        do {
            items.add(item());
        } while (accept(","));
        expectWord("FROM");
        String table = identifier("a dataset name after FROM");
        Condition where = acceptWord("WHERE") ? or() : null;
        List<String> groupBy = new ArrayList<>();
        if (acceptWord("GROUP")) {
            expectWord("BY");
            do {
                groupBy.add(identifier("a column or alias in GROUP BY"));
            } while (accept(","));
        }
        List<Order> orderBy = new ArrayList<>();
        if (acceptWord("ORDER")) {
            expectWord("BY");
            do {
                String name = identifier("a column or alias in ORDER BY");
                boolean desc = acceptWord("DESC");
                if (!desc) {
                    acceptWord("ASC");
                }
                orderBy.add(new Order(name, desc));
            } while (accept(","));
        }
        long limit = Long.MAX_VALUE;
        if (acceptWord("LIMIT")) {
            limit = acceptWord("ALL") ? Long.MAX_VALUE : (long) number("a row count after LIMIT");
        }
        return new Query(false, items, table, where, groupBy, orderBy, limit, format());
    }

    private String format() throws SqlException {
        if (!acceptWord("FORMAT")) {
            return "JSON";
        }
        String f = identifier("a format name");
        if (!f.equals("JSON") && !f.equals("JSONEachRow")) {
            throw new SqlException("FORMAT " + f + " is not supported by the local API (JSON, JSONEachRow)");
        }
        return f;
    }

    private Item item() throws SqlException {
        if (accept("*")) {
            return new Item(null, new Column("*"), null);
        }
        String word = peek();
        Item item;
        if (word != null && AGGREGATES.contains(word.toUpperCase(Locale.ROOT)) && "(".equals(peekAt(1))) {
            pos += 2;
            String fn = word.toUpperCase(Locale.ROOT);
            Operand operand = null;
            if (!accept(")")) {
                Column left = new Column(identifier("a column inside " + fn + "()"));
                operand = accept("*") ? new Product(left, new Column(identifier("a column after '*'"))) : left;
                expect(")");
            }
            if (operand == null && !fn.equals("COUNT")) {
                throw new SqlException(fn + "() needs a column");
            }
            item = new Item(fn, operand, null);
        } else {
            item = new Item(null, operand(), null);
        }
        if (acceptWord("AS")) {
            return new Item(item.function(), item.operand(), identifier("an alias after AS"));
        }
        return item;
    }

    private Condition or() throws SqlException {
        Condition c = and();
        while (acceptWord("OR")) {
            c = new Or(c, and());
        }
        return c;
    }

    private Condition and() throws SqlException {
        Condition c = not();
        while (acceptWord("AND")) {
            c = new And(c, not());
        }
        return c;
    }

    private Condition not() throws SqlException {
        if (acceptWord("NOT")) {
            return new Not(not());
        }
        if (accept("(")) {
            Condition c = or();
            expect(")");
            return c;
        }
        Operand left = operand();
        boolean negated = acceptWord("NOT");
        if (acceptWord("IN")) {
            expect("(");
            List<Operand> values = new ArrayList<>();
            do {
                values.add(operand());
            } while (accept(","));
            expect(")");
            return new In(left, values, negated);
        }
        if (acceptWord("BETWEEN")) {
            Operand low = operand();
            expectWord("AND");
            Operand high = operand();
            Condition between = new And(new Compare(left, ">=", low), new Compare(left, "<=", high));
            return negated ? new Not(between) : between;
        }
        if (negated) {
            throw new SqlException("expected IN or BETWEEN after NOT");
        }
        String op = peek();
        if (op == null || !Set.of("=", "!=", "<>", "<", "<=", ">", ">=").contains(op)) {
            throw new SqlException("expected a comparison operator, found " + (op == null ? "the end" : "'" + op
                    + "'"));
        }
        pos++;
        return new Compare(left, op.equals("<>") ? "!=" : op, operand());
    }

    private Operand operand() throws SqlException {
        String t = peek();
        if (t == null) {
            throw new SqlException("unexpected end of query");
        }
        if (t.startsWith("'")) {
            pos++;
            return new Literal(t.substring(1));
        }
        if (t.equals("-") || Character.isDigit(t.charAt(0))) {
            return new Literal(number("a number"));
        }
        if (t.equalsIgnoreCase("toDateTime") && "(".equals(peekAt(1))) {
            pos += 2;
            Operand inner = operand();
            expect(")");
            if (!(inner instanceof Literal l)) {
                throw new SqlException("toDateTime() takes a literal in the local API");
            }
            return new Literal(SqlValues.toInstant(l.value()));
        }
        if (t.equalsIgnoreCase("now") && "(".equals(peekAt(1))) {
            pos += 2;
            expect(")");
            Instant value = now;
            if ("-".equals(peek()) || "+".equals(peek())) {
                boolean minus = peek().equals("-");
                pos++;
                Duration d = interval();
                value = minus ? value.minus(d) : value.plus(d);
            }
            return new Literal(value);
        }
        return new Column(identifier("a column, literal or function"));
    }

    private Duration interval() throws SqlException {
        expectWord("INTERVAL");
        String amount = peek();
        long n;
        if (amount != null && amount.startsWith("'")) {
            pos++;
            try {
                n = Long.parseLong(amount.substring(1).strip());
            } catch (NumberFormatException e) {
                throw new SqlException("INTERVAL needs a whole number, got '" + amount.substring(1) + "'");
            }
        } else {
            n = (long) number("an INTERVAL amount");
        }
        String unit = identifier("an INTERVAL unit").toUpperCase(Locale.ROOT);
        return switch (unit) {
            case "SECOND" -> Duration.ofSeconds(n);
            case "MINUTE" -> Duration.ofMinutes(n);
            case "HOUR" -> Duration.ofHours(n);
            case "DAY" -> Duration.ofDays(n);
            default -> throw new SqlException("INTERVAL unit " + unit + " is not supported (SECOND, MINUTE, HOUR, DAY)");
        };
    }

    private double number(String what) throws SqlException {
        boolean negative = accept("-");
        String t = peek();
        if (t == null || !Character.isDigit(t.charAt(0))) {
            throw new SqlException("expected " + what);
        }
        pos++;
        double v = Double.parseDouble(t);
        return negative ? -v : v;
    }

    private String identifier(String what) throws SqlException {
        String t = peek();
        if (t == null || !(Character.isLetter(t.charAt(0)) || t.charAt(0) == '_')) {
            throw new SqlException("expected " + what + (t == null ? "" : ", found '" + t + "'"));
        }
        pos++;
        return t;
    }

    private String peek() {
        return peekAt(0);
    }

    private String peekAt(int offset) {
        return pos + offset < tokens.size() ? tokens.get(pos + offset) : null;
    }

    private boolean accept(String symbol) {
        if (symbol.equals(peek())) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String symbol) throws SqlException {
        if (!accept(symbol)) {
            throw new SqlException("expected '" + symbol + "'" + (peek() == null ? " at the end" : " before '"
                    + peek() + "'"));
        }
    }

    private boolean acceptWord(String word) {
        String t = peek();
        if (t != null && !t.startsWith("'") && t.equalsIgnoreCase(word)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expectWord(String word) throws SqlException {
        if (!acceptWord(word)) {
            throw new SqlException("expected " + word + (peek() == null ? " at the end" : " before '" + peek()
                    + "'"));
        }
    }
}
