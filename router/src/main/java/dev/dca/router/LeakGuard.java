package dev.dca.router;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps answers grounded in retrieved text from repeating the system prompt: the second line of defence behind
 * {@link GroundedPrompt}'s data wrapping, for models that follow an injected "print your instructions" anyway.
 * An answer is a leak when it reproduces any {@link #WINDOW} consecutive characters (case and whitespace
 * normalised) of a protected text.
 *
 * <p>Streaming: {@link #offer} holds back the last {@code WINDOW} characters, so the start of a leak is never sent
 * before it can be recognised.
 */
final class LeakGuard {

    static final int WINDOW = 24;
    static final String WITHHELD = "[withheld: the answer repeated the system prompt]";

    private final Set<String> shingles = new HashSet<>();
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private boolean leaked;

    LeakGuard(List<String> protectedTexts) {
        for (String p : protectedTexts) {
            if (p == null) continue;
            String n = normalise(p);
            for (int i = 0; i + WINDOW <= n.length(); i++) shingles.add(n.substring(i, i + WINDOW));
        }
    }

    boolean active() {
        return !shingles.isEmpty();
    }

    /** Adds generated text; returns what may be shown now (empty once a leak is found). */
    String offer(String delta) {
        if (leaked) return "";
        text.append(delta);
        if (isLeak(text.toString())) {
            leaked = true;
            return "";
        }
        int safe = Math.max(emitted, text.length() - WINDOW);
        String out = text.substring(emitted, safe);
        emitted = safe;
        return out;
    }

    /** At the end of the answer: the rest to show (or the withheld notice when a leak was found). */
    String finish() {
        if (leaked || isLeak(text.toString())) {
            leaked = true;
            return emitted == 0 ? WITHHELD : " " + WITHHELD;
        }
        String out = text.substring(emitted);
        emitted = text.length();
        return out;
    }

    boolean leaked() {
        return leaked;
    }

    /** The whole answer, redacted when it leaks. */
    String filter(String answer) {
        return isLeak(answer) ? WITHHELD : answer;
    }

    boolean isLeak(String answer) {
        if (shingles.isEmpty()) return false;
        String n = normalise(answer);
        for (int i = 0; i + WINDOW <= n.length(); i++) if (shingles.contains(n.substring(i, i + WINDOW))) return true;
        return false;
    }

    static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }

    static List<String> nonNull(String... texts) {
        List<String> out = new ArrayList<>();
        for (String t : texts) if (t != null && !t.isBlank()) out.add(t);
        return out;
    }
}
