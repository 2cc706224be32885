package dev.dca.router;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cheap signals read from the question's text, for the routing rules: how many numbers and arithmetic operators it
 * holds, whether it is phrased as a computation, a multi-step/logic question, a factual look-up or small talk.
 */
public record QuestionSignals(
        int numbers,
        int operators,
        boolean quantityQuestion,
        boolean multiStep,
        boolean factual,
        boolean smallTalk,
        boolean creative) {

    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])\\d+(?:[.,]\\d+)*(?:\\.\\d+)?%?");
    private static final Pattern NUMBER_WORD = Pattern.compile(
            "\\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|half|twice|double|triple|dozen)\\b");
    /** operators between operands: 3+4, 12 * 5, 6/2, 2^8, 7 - 1, and their spelled forms */
    private static final Pattern OPERATOR = Pattern.compile(
            "(?<=[\\d)\\s])[-+*/×÷^=](?=[\\s\\d(])|\\b(plus|minus|times|divided by|multiplied by|squared|cubed|square root|percent of|sum of|product of)\\b");
    private static final Pattern QUANTITY = Pattern.compile(
            "\\b(how many|how much|how long|how far|how old|how deep|how tall|how high|how big|how heavy|how wide|how fast|"
                    + "deeper|taller|higher|older|younger|longer|shorter|heavier|faster|slower|cheaper|total|altogether|in all|left|remain(s|ing)?|average|each|per|"
                    + "calculate|compute|solve|evaluate|what is \\d|what's \\d|cost|costs|price|profit|percent|percentage|ratio|"
                    + "more than|less than|fewer|twice as|half of)\\b");
    private static final Pattern MULTI_STEP = Pattern.compile(
            "\\b(prove|proof|step by step|reason|puzzle|riddle|logic|deduce|derive|if .+ then|which of|why does|why is|"
                    + "explain why|compare|plan|schedule|optimi[sz]e)\\b");
    private static final Pattern FACTUAL = Pattern.compile(
            "^(who|what|when|where|which|whose|how (did|does|do|is|was|were|are)|is|are|was|were|does|did|tell me about|"
                    + "describe|define|list|name|according to)\\b");
    private static final Pattern SMALL_TALK = Pattern.compile(
            "^(hi|hello|hey|good (morning|afternoon|evening)|thanks|thank you|bye|goodbye|how are you|who are you|what can you do|ok|okay)\\b");
    private static final Pattern CREATIVE = Pattern.compile(
            "^(write|tell me a (story|joke)|compose|draft|translate|rewrite|summari[sz]e|make up|imagine)\\b");

    public static QuestionSignals of(String question) {
        String q = question.strip().toLowerCase(Locale.ROOT);
        int numbers = count(NUMBER.matcher(q)) + count(NUMBER_WORD.matcher(q));
        int operators = count(OPERATOR.matcher(q));
        return new QuestionSignals(
                numbers,
                operators,
                QUANTITY.matcher(q).find(),
                MULTI_STEP.matcher(q).find(),
                FACTUAL.matcher(q).find(),
                SMALL_TALK.matcher(q).find(),
                CREATIVE.matcher(q).find());
    }

    /** Arithmetic or a word problem: an operator between numbers, or two numbers and a quantity question. */
    public boolean arithmetic() {
        return (operators > 0 && numbers >= 1) || (numbers >= 2 && quantityQuestion) || (numbers >= 3 && !creative);
    }

    /** Estimated number of operations a solution needs: drives the effort when it is {@code auto}. */
    public int estimatedSteps() {
        return Math.max(operators, Math.max(0, numbers - 1));
    }

    private static int count(Matcher m) {
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
