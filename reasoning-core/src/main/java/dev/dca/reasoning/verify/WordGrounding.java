package dev.dca.reasoning.verify;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a step talks about the problem it solves: the share of its content words (function words and numbers
 * left out, plurals folded) that appear in the question, the sources or an earlier step. A small model that
 * mistakes an unfamiliar problem for a familiar one writes the familiar problem's things and units ("The hats cost
 * 7*4=28 dollars." for a question about hours worked, "feet" for one in meters); {@link NumberGrounding} does not see
 * that when the operands happen to be the question's. NaN for a step without content words.
 */
public final class WordGrounding implements StepScorer {

    private static final Pattern WORD = Pattern.compile("[a-z]+");
    // Written by hand: reasoning-core does not depend on Lucene (whose EnglishAnalyzer the router's SourceSupport
    // uses), and a short list of function words plus plural folding is all a one-line step needs.
    // Function words and the answer marker: saying nothing about the problem, they neither help nor hurt.
    private static final Set<String> FUNCTION = Set.of("a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by",
            "for", "with", "from", "is", "are", "was", "were", "be", "will", "has", "have", "had", "it", "its", "they",
            "them", "their", "he", "she", "his", "her", "him", "we", "you", "all", "that", "this", "these", "those",
            "there", "then", "so", "now", "each", "every", "one", "answer");

    @Override
    public double score(StepContext step) {
        List<String> words = words(step.step());
        if (words.isEmpty()) return Double.NaN;
        Set<String> known = new HashSet<>(words(step.question()));
        if (step.context() != null) known.addAll(words(step.context()));
        for (String s : step.previousSteps()) known.addAll(words(s));
        long found = words.stream().filter(known::contains).count();
        return (double) found / words.size();
    }

    @Override
    public String name() {
        return "words";
    }

    /** Content words of {@code text}, lower-cased, with plurals folded ("boxes" and "box", "candies" and "candy" match). */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String w = m.group();
            if (FUNCTION.contains(w)) continue;
            out.add(fold(w));
        }
        return out;
    }

    private static String fold(String w) {
        if (w.length() > 4 && w.endsWith("ies")) return w.substring(0, w.length() - 3) + "y";
        if (w.endsWith("ches") || w.endsWith("shes") || w.endsWith("xes") || w.endsWith("sses")) return w.substring(0, w.length() - 2);
        if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss")) return w.substring(0, w.length() - 1);
        return w;
    }
}
