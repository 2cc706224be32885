package dev.dca.runtime.chat;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Rewrites Python Jinja constructs that Jinjava's parser reads differently into equivalent ones it reads the same
 * way, for every template (never for one in particular):
 * <ul>
 *   <li>{@code not x is defined}: Jinja reads {@code not (x is defined)}, Jinjava {@code (not x) is defined}, so
 *       the negation is parenthesised ({@link #NOT_IS});</li>
 *   <li>slices with a step ({@code x[::-1]}, see {@link #subscriptSlice});</li>
 *   <li>keyword arguments, below.</li>
 * </ul>
 *
 * <p>Wraps keyword-argument values in parentheses inside Jinja expressions: {@code f(a=x|length - 1)} becomes
 * {@code f(a=(x|length - 1))}.
 *
 * <p>Why: in Python Jinja the whole {@code x|length - 1} is the value of {@code a}; Jinjava's parser binds the named
 * parameter tighter than the filter and the arithmetic, and then fails ("Cannot coerce NamedParameter to Long").
 * Parenthesizing is meaning-preserving under Jinja's grammar, so it is applied to every template, not to one.
 * Macro definitions are left alone (their defaults are parsed by a different path).
 */
final class JinjaSyntaxAdapter {
    private JinjaSyntaxAdapter() {}

    static String rewrite(String template) {
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        int n = template.length();
        while (i < n) {
            int open = nextCodeOpen(template, i);
            if (open < 0) {
                out.append(template, i, n);
                break;
            }
            out.append(template, i, open + 2);
            boolean statement = template.charAt(open + 1) == '%';
            String close = statement ? "%}" : "}}";
            int end = findClose(template, open + 2, close);
            if (end < 0) { // unterminated: leave the rest for Jinjava to report
                out.append(template, open + 2, n);
                break;
            }
            String code = template.substring(open + 2, end);
            String head = code.strip();
            if (head.startsWith("-") || head.startsWith("+")) head = head.substring(1).strip();
            boolean skip = statement && (head.startsWith("macro") || head.startsWith("call") || head.startsWith("raw"));
            out.append(skip ? code : rewriteCode(code));
            out.append(close);
            i = end + 2;
            if (skip && head.startsWith("raw")) { // copy a raw block verbatim up to its end tag
                int endRaw = template.indexOf("endraw", i);
                if (endRaw < 0) {
                    out.append(template, i, n);
                    break;
                }
                int tagStart = template.lastIndexOf("{%", endRaw);
                out.append(template, i, tagStart);
                i = tagStart;
            }
        }
        return out.toString();
    }

    private static int nextCodeOpen(String t, int from) {
        for (int k = from; k + 1 < t.length(); k++) {
            if (t.charAt(k) == '{') {
                char c = t.charAt(k + 1);
                if (c == '{' || c == '%') return k;
                if (c == '#') { // comment: skip to its end
                    int e = t.indexOf("#}", k + 2);
                    if (e < 0) return -1;
                    k = e + 1;
                }
            }
        }
        return -1;
    }

    /** The index of {@code close} after {@code from}, skipping string literals. */
    private static int findClose(String t, int from, String close) {
        char quote = 0;
        for (int k = from; k < t.length(); k++) {
            char c = t.charAt(k);
            if (quote != 0) {
                if (c == '\\') k++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (t.startsWith(close, k)) {
                return k;
            }
        }
        return -1;
    }

    /** {@code not <name(.attr|[subscript])*> is [not] <test>[(args)]}. */
    static final java.util.regex.Pattern NOT_IS = java.util.regex.Pattern.compile(
            "\\bnot\\s+([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*|\\[[^\\[\\]]*\\])*)\\s+is\\s+((?:not\\s+)?[A-Za-z_]+(?:\\s*\\([^()]*\\))?)");

    /** Parenthesises {@code not x is test}, matching on a copy whose string literals are masked. */
    static String negatedTests(String code) {
        char[] masked = code.toCharArray();
        char quote = 0;
        for (int k = 0; k < masked.length; k++) {
            char c = masked[k];
            if (quote != 0) {
                if (c == '\\' && k + 1 < masked.length) {
                    masked[k] = 'x';
                    masked[++k] = 'x';
                } else if (c == quote) {
                    quote = 0;
                } else {
                    masked[k] = 'x';
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            }
        }
        java.util.regex.Matcher m = NOT_IS.matcher(new String(masked));
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(code, last, m.start())
                    .append("not (").append(code, m.start(1), m.end(1))
                    .append(" is ").append(code, m.start(2), m.end(2)).append(')');
            last = m.end();
        }
        return out.append(code.substring(last)).toString();
    }

    private static String rewriteCode(String code) {
        code = negatedTests(code);
        StringBuilder out = new StringBuilder(code.length() + 8);
        Deque<Character> brackets = new ArrayDeque<>();
        Deque<Integer> wraps = new ArrayDeque<>(); // bracket depths at which an inserted '(' must be closed
        char quote = 0;
        int n = code.length();
        for (int k = 0; k < n; k++) {
            char c = code.charAt(k);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && k + 1 < n) out.append(code.charAt(++k));
                else if (c == quote) quote = 0;
                continue;
            }
            switch (c) {
                case '\'', '"' -> {
                    quote = c;
                    out.append(c);
                }
                case '[' -> {
                    int close = subscriptSlice(code, k);
                    if (close >= 0) { // x[a:b:c] -> x.pyslice(a, b, c)
                        out.append(".pyslice(");
                        java.util.List<String> parts = splitTopLevel(code.substring(k + 1, close), ':');
                        while (parts.size() < 3) parts.add("");
                        for (int p = 0; p < parts.size(); p++) {
                            if (p > 0) out.append(", ");
                            out.append(parts.get(p).isBlank() ? "none" : rewriteCode(parts.get(p)));
                        }
                        out.append(')');
                        k = close;
                    } else {
                        brackets.push(c);
                        out.append(c);
                    }
                }
                case '(', '{' -> {
                    brackets.push(c);
                    out.append(c);
                }
                case ')', ']', '}' -> {
                    closeWraps(out, wraps, brackets.size());
                    if (!brackets.isEmpty()) brackets.pop();
                    out.append(c);
                }
                case ',' -> {
                    closeWraps(out, wraps, brackets.size());
                    out.append(c);
                }
                case '=' -> {
                    out.append(c);
                    boolean comparison = (k + 1 < n && code.charAt(k + 1) == '=') || (k > 0 && "=!<>".indexOf(code.charAt(k - 1)) >= 0);
                    if (!comparison && !brackets.isEmpty() && brackets.peek() == '(' && followsKeyword(code, k)) {
                        out.append('(');
                        wraps.push(brackets.size());
                    }
                }
                default -> out.append(c);
            }
        }
        closeWraps(out, wraps, -1);
        return out.toString();
    }

    /**
     * If the '[' at {@code open} is a subscript (follows a name, a string literal, ')' or ']') holding a top-level ':', the index of
     * its matching ']', else -1. Jinjava parses {@code [a:b]} but not steps ({@code [::-1]}), and its negative
     * bounds differ from Python's; {@link PythonMethodsELResolver} implements {@code pyslice} with Python's rules.
     */
    private static int subscriptSlice(String code, int open) {
        int p = open - 1;
        while (p >= 0 && code.charAt(p) == ' ') p--;
        if (p < 0) return -1;
        char prev = code.charAt(p);
        if (!(Character.isLetterOrDigit(prev) || prev == '_' || prev == ')' || prev == ']' || prev == '\'' || prev == '"')) {
            return -1;
        }
        int depth = 0;
        char quote = 0;
        boolean colon = false;
        for (int k = open; k < code.length(); k++) {
            char c = code.charAt(k);
            if (quote != 0) {
                if (c == '\\') k++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0) return colon ? k : -1;
            } else if (c == ':' && depth == 1) {
                colon = true;
            }
        }
        return -1;
    }

    private static java.util.List<String> splitTopLevel(String s, char sep) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (quote != 0) {
                if (c == '\\') k++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == sep && depth == 0) {
                parts.add(s.substring(start, k));
                start = k + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static void closeWraps(StringBuilder out, Deque<Integer> wraps, int depth) {
        while (!wraps.isEmpty() && (depth < 0 || wraps.peek() == depth)) {
            out.append(')');
            wraps.pop();
        }
    }

    /** Whether the '=' at {@code eq} follows {@code ( name} or {@code , name}: a keyword argument. */
    private static boolean followsKeyword(String code, int eq) {
        int k = eq - 1;
        while (k >= 0 && Character.isWhitespace(code.charAt(k))) k--;
        int end = k;
        while (k >= 0 && (Character.isLetterOrDigit(code.charAt(k)) || code.charAt(k) == '_')) k--;
        if (k == end) return false;
        while (k >= 0 && Character.isWhitespace(code.charAt(k))) k--;
        return k >= 0 && (code.charAt(k) == '(' || code.charAt(k) == ',');
    }
}
