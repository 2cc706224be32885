package dev.dca.reasoning.verify;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a step computes with numbers it has: every operand of its arithmetic is a number of the question (or
 * the sources) or one written by an earlier step. A small model's usual slip in a word problem is not the sum (the
 * calculator repairs that) but an operand it made up or carried over from another problem; this catches it without
 * a model call. Score: the share of grounded operands; NaN for a step without arithmetic. A few constants that
 * problems use without writing them ("twice", "a dozen", hours and minutes, percent) count as grounded.
 */
public final class NumberGrounding implements StepScorer {

    private static final Pattern ANNOTATION = Pattern.compile("<<([^=<>]+)=");
    private static final Pattern PLAIN = Pattern.compile("(\\d[\\d,.]*(?:\\s*[-+*/x×÷]\\s*\\d[\\d,.]*)+)\\s*=");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
    private static final Set<String> CONSTANTS = Set.of("1", "2", "10", "12", "60", "100");

    @Override
    public double score(StepContext step) {
        List<String> operands = operands(step.step());
        if (operands.isEmpty()) return Double.NaN;
        Set<String> known = new HashSet<>(CONSTANTS);
        numbers(step.question(), known);
        if (step.context() != null) numbers(step.context(), known);
        for (String s : step.previousSteps()) numbers(s, known);
        int grounded = 0;
        for (String o : operands) if (known.contains(o)) grounded++;
        return (double) grounded / operands.size();
    }

    @Override
    public String name() {
        return "grounding";
    }

    /** The operands of a step's arithmetic: its {@code <<...=} annotations, else plain {@code a op b =} expressions. */
    static List<String> operands(String step) {
        List<String> expressions = new ArrayList<>();
        Matcher a = ANNOTATION.matcher(step);
        while (a.find()) expressions.add(a.group(1));
        if (expressions.isEmpty()) {
            Matcher p = PLAIN.matcher(step);
            while (p.find()) expressions.add(p.group(1));
        }
        List<String> out = new ArrayList<>();
        for (String e : expressions) {
            Matcher m = NUMBER.matcher(e);
            while (m.find()) {
                String v = parse(m.group());
                if (v != null) out.add(v);
            }
        }
        return out;
    }

    /** The numbers written in {@code text}, canonical (see {@link #parse}). */
    static List<String> numbers(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            String v = parse(m.group());
            if (v != null) out.add(v);
        }
        return out;
    }

    private static void numbers(String text, Set<String> into) {
        into.addAll(numbers(text));
    }

    /** Canonical text of a number: 1,250 and 1250 are the same number; 2.50 and 2.5 too. */
    private static String parse(String s) {
        String t = s.replace(",", "");
        if (t.endsWith(".")) t = t.substring(0, t.length() - 1);
        try {
            BigDecimal v = new BigDecimal(t);
            return v.signum() == 0 ? "0" : v.stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
