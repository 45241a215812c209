package dev.faasx.cloudflare.internal.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.cloudflare.AnalyticsDataPoint;
import dev.faasx.cloudflare.internal.local.SqlParser.Column;
import dev.faasx.cloudflare.internal.local.SqlParser.Condition;
import dev.faasx.cloudflare.internal.local.SqlParser.Item;
import dev.faasx.cloudflare.internal.local.SqlParser.Literal;
import dev.faasx.cloudflare.internal.local.SqlParser.Operand;
import dev.faasx.cloudflare.internal.local.SqlParser.Product;
import dev.faasx.cloudflare.internal.local.SqlParser.Query;
import dev.faasx.cloudflare.internal.local.SqlParser.SqlException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Runs parsed queries over captured data points as Analytics Engine's table presents them: {@code dataset},
 * {@code timestamp} (DateTime, whole seconds), {@code _sample_interval} (always 1: nothing is sampled locally),
 * {@code index1}, {@code blob1..20} and {@code double1..20}. Answers in Analytics Engine's JSON format: {@code meta},
 * {@code data}, {@code rows}; UInt64 results (counts, sums of {@code _sample_interval}) are quoted, as ClickHouse's
 * JSON output writes 64-bit integers.
 */
final class SqlEngine {
    private record Out(String name, String type) {
    }

    private final ObjectMapper json;

    SqlEngine(ObjectMapper json) {
        this.json = json;
    }

    /** The answer body (JSON or JSON lines). */
    String run(String sql, List<AnalyticsDataPoint> points, Instant now) throws SqlException {
        Query q = SqlParser.parse(sql, now);
        if (q.showTables()) {
            TreeSet<String> tables = new TreeSet<>();
            points.forEach(p -> tables.add(p.dataset()));
            List<Map<String, Object>> rows = new ArrayList<>();
            tables.forEach(t -> rows.add(Map.of("dataset", t)));
            return write(List.of(new Out("dataset", "String")), rows, q.format());
        }
        List<Item> items = expand(q.items());
        List<AnalyticsDataPoint> matching = new ArrayList<>();
        for (AnalyticsDataPoint p : points) {
            if (p.dataset().equals(q.table()) && (q.where() == null || test(q.where(), p))) {
                matching.add(p);
            }
        }
        List<Out> meta = new ArrayList<>();
        for (Item item : items) {
            meta.add(new Out(outName(item), outType(item)));
        }
        boolean aggregate = items.stream().anyMatch(Item::aggregate) || !q.groupBy().isEmpty();
        List<Map<String, Object>> rows = aggregate ? aggregate(q, items, meta, matching) : project(items, meta, matching);
        sort(rows, q, meta);
        if (rows.size() > q.limit()) {
            rows = rows.subList(0, (int) q.limit());
        }
        return write(meta, rows, q.format());
    }

    private static List<Item> expand(List<Item> items) {
        List<Item> out = new ArrayList<>();
        for (Item item : items) {
            if (!item.aggregate() && item.operand() instanceof Column c && c.name().equals("*")) {
                for (String col : allColumns()) {
                    out.add(new Item(null, new Column(col), null));
                }
            } else {
                out.add(item);
            }
        }
        return out;
    }

    private static List<String> allColumns() {
        List<String> cols = new ArrayList<>(List.of("dataset", "timestamp", "_sample_interval", "index1"));
        for (int i = 1; i <= 20; i++) {
            cols.add("blob" + i);
        }
        for (int i = 1; i <= 20; i++) {
            cols.add("double" + i);
        }
        return cols;
    }

    private List<Map<String, Object>> project(List<Item> items, List<Out> meta, List<AnalyticsDataPoint> points)
            throws SqlException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (AnalyticsDataPoint p : points) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < items.size(); i++) {
                row.put(meta.get(i).name(), value(items.get(i).operand(), p));
            }
            rows.add(row);
        }
        return rows;
    }

    private List<Map<String, Object>> aggregate(Query q, List<Item> items, List<Out> meta,
                                                List<AnalyticsDataPoint> points) throws SqlException {
        List<Operand> keys = new ArrayList<>();
        for (String g : q.groupBy()) {
            Item byAlias = items.stream().filter(i -> g.equals(i.alias())).findFirst().orElse(null);
            if (byAlias != null && byAlias.aggregate()) {
                throw new SqlException("cannot GROUP BY the aggregate " + g);
            }
            keys.add(byAlias != null ? byAlias.operand() : new Column(g));
        }
        for (Item item : items) {
            if (!item.aggregate() && !keys.contains(item.operand())) {
                throw new SqlException(outName(item) + " must be in GROUP BY or inside an aggregate function");
            }
        }
        Map<List<Object>, List<AnalyticsDataPoint>> groups = new LinkedHashMap<>();
        for (AnalyticsDataPoint p : points) {
            List<Object> key = new ArrayList<>();
            for (Operand k : keys) {
                key.add(value(k, p));
            }
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }
        if (groups.isEmpty() && keys.isEmpty()) {
            groups.put(List.of(), List.of());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<List<Object>, List<AnalyticsDataPoint>> group : groups.entrySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                row.put(meta.get(i).name(), item.aggregate() ? fold(item, group.getValue())
                        : group.getKey().get(keys.indexOf(item.operand())));
            }
            rows.add(row);
        }
        return rows;
    }

    private Object fold(Item item, List<AnalyticsDataPoint> points) throws SqlException {
        if (item.function().equals("COUNT")) {
            return (long) points.size();
        }
        List<Object> values = new ArrayList<>();
        for (AnalyticsDataPoint p : points) {
            values.add(value(item.operand(), p));
        }
        switch (item.function()) {
            case "MIN", "MAX" -> {
                Object best = null;
                for (Object v : values) {
                    int c = best == null ? 0 : SqlValues.compare(v, best);
                    if (best == null || (item.function().equals("MIN") ? c < 0 : c > 0)) {
                        best = v;
                    }
                }
                return best == null ? 0.0 : best;
            }
            default -> {
                double sum = 0;
                for (Object v : values) {
                    if (!(v instanceof Double d)) {
                        throw new SqlException(item.function() + " needs a numeric column");
                    }
                    sum += d;
                }
                if (item.function().equals("AVG")) {
                    return values.isEmpty() ? Double.NaN : sum / values.size();
                }
                return outType(item).equals("UInt64") ? (Object) (long) sum : (Object) sum;
            }
        }
    }

    private boolean test(Condition c, AnalyticsDataPoint p) throws SqlException {
        if (c instanceof SqlParser.And a) {
            return test(a.left(), p) && test(a.right(), p);
        }
        if (c instanceof SqlParser.Or o) {
            return test(o.left(), p) || test(o.right(), p);
        }
        if (c instanceof SqlParser.Not n) {
            return !test(n.inner(), p);
        }
        if (c instanceof SqlParser.In in) {
            Object left = value(in.left(), p);
            boolean found = false;
            for (Operand v : in.values()) {
                found |= SqlValues.compare(left, value(v, p)) == 0;
            }
            return found != in.negated();
        }
        SqlParser.Compare cmp = (SqlParser.Compare) c;
        int r = SqlValues.compare(value(cmp.left(), p), value(cmp.right(), p));
        return switch (cmp.op()) {
            case "=" -> r == 0;
            case "!=" -> r != 0;
            case "<" -> r < 0;
            case "<=" -> r <= 0;
            case ">" -> r > 0;
            default -> r >= 0;
        };
    }

    private static Object value(Operand operand, AnalyticsDataPoint p) throws SqlException {
        if (operand instanceof Literal l) {
            return l.value();
        }
        if (operand instanceof Product prod) {
            Object a = value(prod.left(), p);
            Object b = value(prod.right(), p);
            if (!(a instanceof Double x) || !(b instanceof Double y)) {
                throw new SqlException("'*' needs numeric columns");
            }
            return x * y;
        }
        String name = ((Column) operand).name();
        switch (name) {
            case "dataset":
                return p.dataset();
            case "timestamp":
                return p.timestamp().truncatedTo(ChronoUnit.SECONDS);
            case "_sample_interval":
                return 1.0;
            case "index1":
                return p.index1();
            default:
                int n = fieldNumber(name, "blob");
                if (n > 0) {
                    return p.blob(n);
                }
                n = fieldNumber(name, "double");
                if (n > 0) {
                    return p.doubleValue(n);
                }
                throw new SqlException("unknown column " + name);
        }
    }

    private static int fieldNumber(String name, String prefix) {
        if (name.startsWith(prefix) && name.length() > prefix.length()) {
            try {
                int n = Integer.parseInt(name.substring(prefix.length()));
                return n >= 1 && n <= 20 ? n : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private static String outName(Item item) {
        if (item.alias() != null) {
            return item.alias();
        }
        String operand = item.operand() == null ? "" : operandText(item.operand());
        return item.aggregate() ? item.function() + "(" + operand + ")" : operand;
    }

    private static String operandText(Operand o) {
        if (o instanceof Column c) {
            return c.name();
        }
        if (o instanceof Product p) {
            return p.left().name() + " * " + p.right().name();
        }
        return String.valueOf(((Literal) o).value());
    }

    private static String outType(Item item) {
        if (item.aggregate()) {
            return switch (item.function()) {
                case "COUNT" -> "UInt64";
                case "SUM" -> item.operand() instanceof Column c && c.name().equals("_sample_interval")
                        ? "UInt64" : "Float64";
                case "AVG" -> "Float64";
                default -> columnType(item.operand());
            };
        }
        return columnType(item.operand());
    }

    private static String columnType(Operand o) {
        if (o instanceof Literal l) {
            return SqlValues.typeOf(l.value());
        }
        if (o instanceof Product) {
            return "Float64";
        }
        String name = ((Column) o).name();
        if (name.equals("timestamp")) {
            return "DateTime";
        }
        if (name.equals("_sample_interval")) {
            return "UInt32";
        }
        return name.startsWith("double") ? "Float64" : "String";
    }

    private static void sort(List<Map<String, Object>> rows, Query q, List<Out> meta) throws SqlException {
        Comparator<Map<String, Object>> order = null;
        for (SqlParser.Order o : q.orderBy()) {
            if (meta.stream().noneMatch(m -> m.name().equals(o.name()))) {
                throw new SqlException("ORDER BY " + o.name() + ": the local API orders by selected columns or "
                        + "aliases");
            }
            Comparator<Map<String, Object>> c = (a, b) -> {
                try {
                    return SqlValues.compare(a.get(o.name()), b.get(o.name()));
                } catch (SqlException e) {
                    return 0;
                }
            };
            c = o.descending() ? c.reversed() : c;
            order = order == null ? c : order.thenComparing(c);
        }
        if (order != null) {
            rows.sort(order);
        }
    }

    private String write(List<Out> meta, List<Map<String, Object>> rows, String format) {
        List<ObjectNode> data = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            ObjectNode node = json.createObjectNode();
            for (Out out : meta) {
                Object v = row.get(out.name());
                if (v instanceof Instant i) {
                    node.put(out.name(), SqlValues.format(i));
                } else if (out.type().equals("UInt64")) {
                    node.put(out.name(), String.valueOf(((Number) v).longValue()));
                } else if (out.type().equals("UInt32")) {
                    node.put(out.name(), ((Number) v).longValue());
                } else if (v instanceof Double d) {
                    node.put(out.name(), d);
                } else {
                    node.put(out.name(), String.valueOf(v));
                }
            }
            data.add(node);
        }
        if (format.equals("JSONEachRow")) {
            StringBuilder sb = new StringBuilder();
            data.forEach(d -> sb.append(d.toString()).append('\n'));
            return sb.toString();
        }
        ObjectNode root = json.createObjectNode();
        ArrayNode metaNode = root.putArray("meta");
        meta.forEach(m -> metaNode.addObject().put("name", m.name()).put("type", m.type()));
        root.putArray("data").addAll(data);
        root.put("rows", data.size());
        return root.toString();
    }
}
