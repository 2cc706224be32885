package dev.dca.reasoning.verify;

import com.ezylang.evalex.Expression;
import com.ezylang.evalex.config.ExpressionConfiguration;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calculator tool: finds arithmetic in a step, evaluates it exactly (EvalEx, 34 significant digits) and
 * checks the result the model wrote. Two forms are recognised:
 * <ul>
 * <li>GSM8K annotations {@code <<48/2=24>>} (the number right after the annotation is the same result in prose);
 * <li>plain expressions {@code 16 - 3 - 4 = 9}, {@code (2 + 3) * 4 = 20}, {@code 3 x 4 = 12}, {@code 1,200 / 3 = 400}.
 * </ul>
 * A result is right when it equals the exact value, or the exact value rounded to the digits written
 * ({@code 10/3 = 3.33}). {@link #check} returns the step with wrong results replaced by the exact ones; as a
 * {@link StepScorer} a step with a wrong result scores at most 0.5 (below neutral), a step whose arithmetic is all
 * right scores 1, a step without arithmetic has no score (NaN). Expressions that do not parse or cannot be
 * evaluated (division by zero, unbalanced parentheses) are skipped, never thrown.
 */
public final class Calculator implements StepScorer {

    /** What the check found. */
    public record Check(String text, int checked, int wrong, List<String> corrections) {
        public boolean changed() {
            return wrong > 0;
        }

        /** 1 when all checked arithmetic is right, at most 0.5 when some is wrong, NaN when nothing was checked. */
        public double score() {
            if (checked == 0) return Double.NaN;
            return wrong == 0 ? 1.0 : 0.5 * (checked - wrong) / checked;
        }
    }

    private static final int MAX_EXPRESSION = 200;
    private static final MathContext MC = MathContext.DECIMAL128;
    private static final ExpressionConfiguration CONFIG = ExpressionConfiguration.builder()
            .mathContext(MC)
            .implicitMultiplicationAllowed(false)
            .build();
    private static final Pattern ANNOTATION = Pattern.compile("<<([^<>=]{1," + MAX_EXPRESSION + "})=([^<>]{0,60})>>");
    private static final String NUM = "\\$?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?";
    private static final Pattern PLAIN = Pattern.compile(
            "(?<![\\w.<=])(\\(*\\s*" + NUM + "\\s*\\)*(?:\\s*[-+*/×÷x]\\s*\\(*\\s*" + NUM + "\\s*\\)*){1,12})"
                    + "\\s*=\\s*\\$?\\s*(-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?)(?![\\d>]|,\\d)");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");

    @Override
    public double score(StepContext step) {
        return check(step.step()).score();
    }

    @Override
    public String name() {
        return "calculator";
    }

    /** Checks every annotation and plain expression of a step; the returned text has wrong results corrected. */
    public Check check(String step) {
        if (step == null || step.isEmpty()) return new Check("", 0, 0, List.of());
        int[] counts = new int[2];
        List<String> corrections = new ArrayList<>();
        String text = checkAnnotations(step, counts, corrections);
        // plain expressions outside annotations (annotations are masked so they are not checked twice)
        text = checkPlain(text, counts, corrections);
        return new Check(text, counts[0], counts[1], List.copyOf(corrections));
    }

    private String checkAnnotations(String step, int[] counts, List<String> corrections) {
        Matcher m = ANNOTATION.matcher(step);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(step, last, m.start());
            last = m.end();
            BigDecimal value = evaluate(m.group(1));
            BigDecimal written = parseNumber(m.group(2));
            if (value == null || written == null) {
                out.append(m.group());
                continue;
            }
            counts[0]++;
            if (matches(value, written, m.group(2))) {
                out.append(m.group());
                continue;
            }
            counts[1]++;
            String fixed = format(value);
            corrections.add(m.group(1).strip() + " = " + fixed + " (not " + m.group(2).strip() + ")");
            out.append("<<").append(m.group(1)).append('=').append(fixed).append(">>");
            // the prose copy of the result right after the annotation
            String oldResult = m.group(2).strip();
            if (step.startsWith(oldResult, last)) {
                out.append(fixed);
                last += oldResult.length();
            }
        }
        out.append(step.substring(last));
        return out.toString();
    }

    private String checkPlain(String step, int[] counts, List<String> corrections) {
        Matcher m = PLAIN.matcher(step);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            if (insideAnnotation(step, m.start())) continue;
            String lhs = balance(m.group(1));
            BigDecimal value = evaluate(lhs);
            BigDecimal written = parseNumber(m.group(2));
            if (value == null || written == null) continue;
            counts[0]++;
            if (matches(value, written, m.group(2))) continue;
            counts[1]++;
            String fixed = format(value);
            corrections.add(lhs.strip() + " = " + fixed + " (not " + m.group(2) + ")");
            out.append(step, last, m.start(2)).append(fixed);
            last = m.end(2);
        }
        out.append(step.substring(last));
        return out.toString();
    }

    private static boolean insideAnnotation(String s, int at) {
        int open = s.lastIndexOf("<<", at);
        return open >= 0 && s.indexOf(">>", open) >= at;
    }

    /** Drops unmatched leading '(' and trailing ')' that the pattern took from the surrounding prose. */
    private static String balance(String e) {
        String s = e.strip();
        while (true) {
            long open = s.chars().filter(c -> c == '(').count();
            long close = s.chars().filter(c -> c == ')').count();
            if (open > close && s.startsWith("(")) s = s.substring(1).strip();
            else if (close > open && s.endsWith(")")) s = s.substring(0, s.length() - 1).strip();
            else return s;
        }
    }

    /** Exact value of an arithmetic expression, or null when it is not one EvalEx can evaluate. */
    public static BigDecimal evaluate(String expression) {
        if (expression == null || expression.length() > MAX_EXPRESSION) return null;
        String e = expression.replace('×', '*').replace('÷', '/').replace("$", "")
                .replaceAll("(?<=\\d),(?=\\d{3}(?!\\d))", "")
                .replaceAll("(?<=[\\d)\\s])x(?=[\\s\\d(])", "*")
                .strip();
        if (e.isEmpty() || !e.matches("[\\d.+\\-*/() %]+") || !NUMBER.matcher(e).find()) return null;
        if (e.contains("%")) return null; // "20%" means different things in prose; leave it to the model
        try {
            var v = new Expression(e, CONFIG).evaluate();
            return v.isNumberValue() ? v.getNumberValue() : null;
        } catch (Exception | StackOverflowError ex) {
            return null; // malformed, division by zero: not checkable, never fatal
        }
    }

    private static BigDecimal parseNumber(String s) {
        String t = s.strip().replace("$", "").replaceAll("(?<=\\d),(?=\\d{3}(?!\\d))", "");
        if (!t.matches("-?\\d+(\\.\\d+)?")) return null;
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean matches(BigDecimal exact, BigDecimal written, String writtenText) {
        if (exact.compareTo(written) == 0) return true;
        int scale = Math.max(0, written.scale());
        BigDecimal rounded = exact.setScale(scale, RoundingMode.HALF_UP);
        if (rounded.compareTo(written) == 0) return true;
        // rounding down (truncation) of a non-terminating quotient, e.g. 10/3 = 3.33
        return scale > 0 && exact.setScale(scale, RoundingMode.DOWN).compareTo(written) == 0;
    }

    static String format(BigDecimal v) {
        BigDecimal r = v.scale() > 6 ? v.setScale(6, RoundingMode.HALF_UP) : v;
        r = r.stripTrailingZeros();
        if (r.scale() < 0) r = r.setScale(0);
        return r.toPlainString();
    }
}
