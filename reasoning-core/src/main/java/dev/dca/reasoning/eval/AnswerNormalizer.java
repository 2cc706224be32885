package dev.dca.reasoning.eval;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canonical forms of final answers, so that {@code "$1,000.00"}, {@code "1000"} and {@code "1000 dollars"}, or
 * {@code "\dfrac{1}{2}"}, {@code "\frac12"} and {@code "1/2"}, compare equal. Handles the numeric answers of GSM8K
 * and the LaTeX answers of MATH: wrappers ({@code $..$}, {@code \boxed{}}, {@code \text{}}), spacing commands,
 * {@code \left}/{@code \right}, degrees and percent signs, thousands separators, trailing zeros, simple
 * fractions, and a leading {@code x =}. Written by hand because no Java library normalises LaTeX answers; the
 * rules follow the MATH benchmark's own normaliser (Hendrycks et al.).
 */
public final class AnswerNormalizer {

    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)?(?:\\.\\d+)?");
    private static final Pattern NUMBER_WITH_UNIT = Pattern.compile("^(-?[\\d,]*\\.?\\d+)\\s*[a-zA-Z][a-zA-Z .]*$");
    private static final Pattern FRAC = Pattern.compile("\\\\frac\\{?(-?\\d+)\\}?\\{?(-?\\d+)\\}?");
    private static final Pattern SIMPLE_FRAC = Pattern.compile("^(-?\\d+)/(-?\\d+)$");

    private AnswerNormalizer() {}

    /** The canonical form of an answer ({@code ""} for null or blank). Idempotent. */
    public static String normalize(String answer) {
        if (answer == null) return "";
        String s = answer.strip();
        if (s.isEmpty()) return "";
        String boxed = AnswerExtractor.lastBoxed(s);
        if (boxed != null) s = boxed;
        s = s.replace("\n", " ");
        s = s.replaceAll("^\\$+|\\$+$", "").strip();
        s = s.replaceAll("\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]", "");
        s = unwrap(s, "\\\\(?:text|textbf|mathrm|mathbf|mbox)\\s*\\{");
        s = s.replace("\\left", "").replace("\\right", "")
                .replace("\\!", "").replace("\\,", "").replace("\\;", "").replace("\\:", "").replace("\\ ", "")
                .replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
                .replace("^{\\circ}", "").replace("^\\circ", "").replace("°", "")
                .replace("\\%", "").replace("%", "").replace("\\$", "").replace("$", "")
                .replace("\\displaystyle", "");
        s = s.strip();
        if (s.endsWith(".")) s = s.substring(0, s.length() - 1).strip();
        // "x = 5" -> "5" (a single variable on the left)
        s = s.replaceFirst("^[a-zA-Z]\\s*=\\s*(?=\\S)", "");
        Matcher unit = NUMBER_WITH_UNIT.matcher(s);
        if (unit.matches() && !s.contains("\\")) s = unit.group(1);
        s = s.replaceAll("\\s+", "");
        s = s.replaceAll("(?<=\\d),(?=\\d{3}(?!\\d))", "");
        // \frac12 or \frac{1}{2} or 1/2 -> reduced a/b; whole numbers stay whole
        Matcher f = FRAC.matcher(s);
        if (f.matches()) s = fraction(f.group(1), f.group(2), s);
        Matcher sf = SIMPLE_FRAC.matcher(s);
        if (sf.matches()) s = fraction(sf.group(1), sf.group(2), s);
        if (NUMBER.matcher(s).matches() && !s.isEmpty() && !s.equals("-")) {
            try {
                BigDecimal d = new BigDecimal(s.replace(",", "")).stripTrailingZeros();
                if (d.scale() < 0) d = d.setScale(0);
                s = d.toPlainString();
            } catch (NumberFormatException ignored) {
                // not a plain number after all
            }
        }
        return s;
    }

    /** Whether two answers are the same: equal canonical forms, or equal numeric values (0.5 = 1/2). */
    public static boolean equivalent(String a, String b) {
        String x = normalize(a);
        String y = normalize(b);
        if (x.isEmpty() || y.isEmpty()) return false;
        if (x.equals(y)) return true;
        BigDecimal vx = numericValue(x);
        BigDecimal vy = numericValue(y);
        return vx != null && vy != null && vx.subtract(vy).abs().compareTo(new BigDecimal("1e-9")) <= 0;
    }

    /** The value of a normalised number or simple fraction, or null. */
    static BigDecimal numericValue(String normalized) {
        try {
            Matcher sf = SIMPLE_FRAC.matcher(normalized);
            if (sf.matches()) {
                BigDecimal den = new BigDecimal(sf.group(2));
                if (den.signum() == 0) return null;
                return new BigDecimal(sf.group(1)).divide(den, java.math.MathContext.DECIMAL64);
            }
            if (normalized.matches("-?\\d+(\\.\\d+)?")) return new BigDecimal(normalized);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
        return null;
    }

    private static String fraction(String num, String den, String orElse) {
        try {
            BigInteger n = new BigInteger(num);
            BigInteger d = new BigInteger(den);
            if (d.signum() == 0) return orElse;
            if (d.signum() < 0) {
                n = n.negate();
                d = d.negate();
            }
            BigInteger g = n.gcd(d);
            if (g.signum() != 0) {
                n = n.divide(g);
                d = d.divide(g);
            }
            return d.equals(BigInteger.ONE) ? n.toString() : n + "/" + d;
        } catch (NumberFormatException e) {
            return orElse;
        }
    }

    /** Replaces {@code \cmd{content}} by {@code content} (balanced braces) for every match of {@code open}. */
    private static String unwrap(String s, String open) {
        Pattern p = Pattern.compile(open);
        for (int guard = 0; guard < 64; guard++) {
            Matcher m = p.matcher(s);
            if (!m.find()) return s;
            int end = AnswerExtractor.closingBrace(s, m.end() - 1);
            if (end < 0) return s;
            s = s.substring(0, m.start()) + s.substring(m.end(), end) + s.substring(end + 1);
        }
        return s;
    }
}
