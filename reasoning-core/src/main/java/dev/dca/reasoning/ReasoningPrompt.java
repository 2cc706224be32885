package dev.dca.reasoning;

import dev.dca.reasoning.policy.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hidden-reasoning prompt format. The model is told to think in a scratchpad, one step per line, and to end
 * with one final line {@value #ANSWER_MARKER} followed by the answer only:
 *
 * <pre>
 * system:    {@link #SYSTEM}
 * user:      [Context:\n{context}\n\n]Question: {question}
 * assistant: step 1\n
 *            step 2\n
 *            ...\n
 *            Answer: 42
 * </pre>
 *
 * The scratchpad is every line before the answer line ({@link #STEP_DELIMITER} separates steps); the visible
 * answer is the text after {@value #ANSWER_MARKER} on that line only, so the scratchpad never reaches the user.
 * Step-level searches sample one line at a time (stop at {@link #STEP_DELIMITER}); a line that starts with the
 * marker ends the chain. {@link #DIRECT_SYSTEM} asks for the answer line alone (no scratchpad).
 */
public final class ReasoningPrompt {

    /** Separates scratchpad steps. */
    public static final String STEP_DELIMITER = "\n";
    /** Starts the final line; what follows it on that line is the visible answer. */
    public static final String ANSWER_MARKER = "Answer:";

    public static final String SYSTEM = """
            You are a careful problem solver. Think step by step in a private scratchpad before answering.
            Write exactly one reasoning step per line. Write arithmetic as plain expressions, e.g. 48 / 2 = 24.
            When you are done, write one final line that starts with "Answer:" followed by the final answer only \
            (a number or a short expression, no explanation). Nothing may follow the answer line.""";

    public static final String DIRECT_SYSTEM = """
            You are a careful problem solver. Reply with one line that starts with "Answer:" followed by the final \
            answer only.""";

    public static final String CRITIQUE_SYSTEM = """
            You check solutions. Read the question and the proposed solution, check every step, then write one \
            final line "Verdict: correct" or "Verdict: wrong". If it is wrong, name the first wrong step and why.""";

    public static final String VERDICT_MARKER = "Verdict:";

    private static final Pattern ANSWER_LINE = Pattern.compile("(?m)^[ \\t*#]*" + Pattern.quote(ANSWER_MARKER) + "[ \\t]*(.*)$");

    private ReasoningPrompt() {}

    /** The conversation for a scratchpad-then-answer reply. */
    public static List<Turn> conversation(String question, String context) {
        return List.of(Turn.system(SYSTEM), Turn.user(userMessage(question, context)));
    }

    /** The conversation for an answer without scratchpad. */
    public static List<Turn> directConversation(String question, String context) {
        return List.of(Turn.system(DIRECT_SYSTEM), Turn.user(userMessage(question, context)));
    }

    /** Asks the model to check a draft (for {@code reflect}). */
    public static List<Turn> critiqueConversation(String question, String context, String draft) {
        return List.of(Turn.system(CRITIQUE_SYSTEM),
                Turn.user(userMessage(question, context) + "\n\nProposed solution:\n" + draft));
    }

    /** Asks for a new solution in view of a draft and its critique (for {@code reflect}). */
    public static List<Turn> reviseConversation(String question, String context, String draft, String critique) {
        List<Turn> turns = new ArrayList<>();
        turns.add(Turn.system(SYSTEM));
        turns.add(Turn.user(userMessage(question, context) + "\n\nAn earlier attempt:\n" + draft
                + "\n\nA reviewer said:\n" + critique + "\n\nSolve the question again, avoiding that mistake."));
        return turns;
    }

    static String userMessage(String question, String context) {
        String q = "Question: " + question.strip();
        return context == null || context.isBlank() ? q : "Context:\n" + context.strip() + "\n\n" + q;
    }

    /** Whether a line is the final answer line. */
    public static boolean isAnswerLine(String line) {
        return ANSWER_LINE.matcher(line).find() && line.strip().replaceFirst("^[*#]+\\s*", "").startsWith(ANSWER_MARKER);
    }

    /**
     * The visible answer of a reply or scratchpad: the rest of the first answer line, trimmed, without
     * markdown emphasis or a trailing period; null when there is no answer line.
     */
    public static String extractAnswer(String text) {
        if (text == null) return null;
        Matcher m = ANSWER_LINE.matcher(text);
        if (!m.find()) return null;
        String a = m.group(1).strip().replaceAll("^\\*+|\\*+$", "").strip();
        if (a.endsWith(".") && !a.matches(".*\\d\\.$")) a = a.substring(0, a.length() - 1).strip();
        else if (a.matches(".*\\d\\.$")) a = a.substring(0, a.length() - 1);
        return a;
    }

    /** The scratchpad of a reply: everything before the answer line (all of it when there is none). */
    public static String scratchpad(String text) {
        Matcher m = ANSWER_LINE.matcher(text);
        return (m.find() ? text.substring(0, m.start()) : text).stripTrailing();
    }

    /** The reply cut right after its answer line (models sometimes go on after it). */
    public static String cutAfterAnswer(String text) {
        Matcher m = ANSWER_LINE.matcher(text);
        return m.find() ? text.substring(0, m.end()) : text;
    }

    /** Scratchpad steps: its non-blank lines. */
    public static List<String> steps(String scratchpad) {
        List<String> out = new ArrayList<>();
        for (String line : scratchpad.split(STEP_DELIMITER)) if (!line.isBlank()) out.add(line.strip());
        return out;
    }

    /** Parses a critique's verdict: TRUE correct, FALSE wrong, null none. */
    public static Boolean verdict(String critique) {
        Matcher m = Pattern.compile("(?i)" + Pattern.quote(VERDICT_MARKER) + "\\s*\\**\\s*(correct|wrong|incorrect)").matcher(critique);
        Boolean v = null;
        while (m.find()) v = m.group(1).equalsIgnoreCase("correct");
        return v;
    }
}
