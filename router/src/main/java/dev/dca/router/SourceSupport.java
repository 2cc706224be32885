package dev.dca.router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import java.util.regex.Pattern;

/**
 * Whether a grounded reply is backed by the sources it cites: a verifier that needs no model, in the spirit of the
 * reasoning core's number grounding. A reply is supported when
 * <ul>
 *   <li>every {@code [n]} it cites is one of the passages (a reply without any {@code [n]} is checked against all);
 *   <li>it says something the question did not: at least one word that is neither in the question nor a function
 *       word (so "Hana Lumfa plays [1]." is not an answer);
 *   <li>those new words are found in the cited passages ({@link #answerCoverage}): the value was copied, not
 *       remembered or made up;
 *   <li>the cited passages are about the question ({@link #questionCoverage}: the question's names, its capitalised
 *       words after the first, and those of its other content words that some passage uses occur in the cited
 *       ones), so a value copied from another entity's passage does not count.
 * </ul>
 * Words are compared as Lucene's English analyzer leaves them (lower-cased, possessives dropped, Porter-stemmed: "works"
 * matches "work"). The check is meant for short factual answers; it is a selector and a hallucination guard, not
 * proof.
 *
 * @param citesValidSources every cited number names a passage
 * @param newWords content words of the reply that are not in the question
 * @param answerCoverage share of {@code newWords} found in the cited passages (0 when there are none)
 * @param questionCoverage share of the question's names and of its content words found in any passage that the
 *     cited passages hold (1 when there are none)
 */
public record SourceSupport(boolean citesValidSources, int newWords, double answerCoverage, double questionCoverage) {

    private static final Pattern NAME = Pattern.compile("\\b\\p{Lu}[\\p{L}\\p{N}'-]*");
    private static final Pattern CITATION = Pattern.compile("\\[(\\d{1,3})]");

    /**
     * English function words and question words, dropped before comparing. Written out because Lucene's English
     * stop set lacks the question words and the auxiliaries a short answer is built from.
     */
    private static final CharArraySet FUNCTION_WORDS = new CharArraySet(List.of(
            "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "about", "as", "into", "and",
            "or", "but", "not", "no", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did",
            "has", "have", "had", "it", "its", "this", "that", "these", "those", "there", "their", "they", "he", "she",
            "his", "her", "him", "them", "we", "you", "i", "what", "which", "who", "whom", "whose", "when", "where",
            "why", "how", "many", "much", "some", "any", "so", "than", "then", "also", "very", "s", "source", "sources",
            "according", "says", "said", "yes"), false);

    private static final Analyzer CONTENT = new EnglishAnalyzer(FUNCTION_WORDS);
    private static final Analyzer ALL = new EnglishAnalyzer(CharArraySet.EMPTY_SET);

    /** Whether this reply should be shown as an answer drawn from the sources. */
    public boolean supported(double minCoverage) {
        return citesValidSources && newWords > 0 && answerCoverage >= minCoverage && questionCoverage >= minCoverage;
    }

    /** Checks {@code reply} to {@code question} against {@code passages} (numbered from 1, as rendered). */
    public static SourceSupport of(String reply, String question, List<Passage> passages) {
        return new Checker(question, passages).check(reply);
    }

    /** A question and its passages analysed once, to check several replies against them. */
    public static final class Checker {
        private final List<Set<String>> passageTerms = new ArrayList<>();
        private final Set<String> everywhere = new HashSet<>();
        private final Set<String> asked;
        private final Set<String> names;

        public Checker(String question, List<Passage> passages) {
            for (Passage p : passages) {
                Set<String> t = terms(ALL, p.text());
                passageTerms.add(t);
                everywhere.addAll(t);
            }
            asked = terms(CONTENT, question);
            names = terms(CONTENT, names(question));
        }

        public SourceSupport check(String reply) {
            Set<Integer> cited = new HashSet<>();
            boolean valid = true;
            Matcher m = CITATION.matcher(reply);
            while (m.find()) {
                int n = Integer.parseInt(m.group(1));
                if (n < 1 || n > passageTerms.size()) valid = false;
                else cited.add(n);
            }
            Set<String> evidence = new HashSet<>();
            for (int i = 0; i < passageTerms.size(); i++) {
                if (cited.isEmpty() || cited.contains(i + 1)) evidence.addAll(passageTerms.get(i));
            }
            Set<String> told = terms(CONTENT, CITATION.matcher(reply).replaceAll(" "));
            told.removeAll(asked);
            Set<String> about = new HashSet<>(asked);
            about.retainAll(everywhere); // words of the question no source uses ("instrument") say nothing about which one
            about.addAll(names); // but a name the sources lack ("Paris") means they do not answer
            return new SourceSupport(valid && !passageTerms.isEmpty(), told.size(), coverage(told, evidence),
                    about.isEmpty() ? 1 : coverage(about, evidence));
        }
    }

    /** The capitalised words of a question after its first word: the names it asks about. */
    private static String names(String question) {
        StringBuilder sb = new StringBuilder();
        Matcher m = NAME.matcher(question.strip());
        while (m.find()) if (m.start() > 0) sb.append(m.group()).append(' ');
        return sb.toString();
    }

    private static double coverage(Set<String> wanted, Set<String> evidence) {
        if (wanted.isEmpty()) return 0;
        int found = 0;
        for (String w : wanted) if (evidence.contains(w)) found++;
        return found / (double) wanted.size();
    }

    private static Set<String> terms(Analyzer analyzer, String text) {
        Set<String> out = new HashSet<>();
        try (TokenStream ts = analyzer.tokenStream("", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) out.add(term.toString());
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not throw
        }
        return out;
    }
}
