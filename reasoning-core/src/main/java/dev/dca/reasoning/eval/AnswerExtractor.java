package dev.dca.reasoning.eval;

import dev.dca.reasoning.ReasoningPrompt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the final answer in free text, most explicit form first: our {@code Answer:} line, GSM8K's
 * {@code #### N}, the last {@code \boxed{..}} (balanced braces), "the answer is ...", and finally the last number.
 */
public final class AnswerExtractor {

    private static final Pattern HASHES = Pattern.compile("####\\s*(.+)");
    private static final Pattern ANSWER_IS = Pattern.compile("(?i)the (?:final )?answer is[:\\s]*\\$?([^\\n]+?)\\$?\\s*(?:\\.|$)");
    private static final Pattern LAST_NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?");

    private AnswerExtractor() {}

    /** The final answer in a model's reply, or null. */
    public static String extract(String text) {
        if (text == null || text.isBlank()) return null;
        String a = ReasoningPrompt.extractAnswer(text);
        if (a != null && !a.isEmpty()) return a;
        a = gsm8kGold(text);
        if (a != null) return a;
        a = lastBoxed(text);
        if (a != null) return a;
        Matcher m = ANSWER_IS.matcher(text);
        String last = null;
        while (m.find()) last = m.group(1).strip();
        if (last != null && !last.isEmpty()) return last;
        return lastNumber(text);
    }

    /** The answer after GSM8K's {@code ####} (last occurrence), or null. */
    public static String gsm8kGold(String answerField) {
        if (answerField == null) return null;
        Matcher m = HASHES.matcher(answerField);
        String last = null;
        while (m.find()) last = m.group(1).strip();
        return last == null || last.isEmpty() ? null : last;
    }

    /** The content of the last {@code \boxed{...}} or {@code \fbox{...}}, braces balanced; null if none. */
    public static String lastBoxed(String text) {
        if (text == null) return null;
        int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
        if (at < 0) return null;
        int open = text.indexOf('{', at);
        if (open < 0) {
            // "\boxed 5"
            Matcher m = Pattern.compile("\\\\boxed\\s+(\\S+)").matcher(text.substring(at));
            return m.find() ? m.group(1).replaceAll("\\$$", "") : null;
        }
        if (!text.substring(at, open).matches("\\\\(boxed|fbox)\\s*")) return null;
        int close = closingBrace(text, open);
        return close < 0 ? null : text.substring(open + 1, close).strip();
    }

    /** Index of the brace closing the one at {@code open}, or -1. */
    static int closingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '}')) {
                i++;
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }

    /** The last number in a text (thousands separators kept for the normaliser), or null. */
    public static String lastNumber(String text) {
        if (text == null) return null;
        Matcher m = LAST_NUMBER.matcher(text);
        String last = null;
        while (m.find()) last = m.group();
        if (last != null && last.endsWith(",")) last = last.substring(0, last.length() - 1);
        return last;
    }
}
