package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dca.router.Answer;
import dev.dca.router.Citation;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dca ask --json}: {@code {"answer","route","strategy","effort","usage":{prompt_tokens, completion_tokens,
 * reasoning_tokens},"stats":{..},"citations":[{"source","location","score"}]}}, plus {@code "reasoning"} with
 * {@code --show-reasoning}, {@code "explain"} with {@code --explain} and {@code "notices"} when there are any.
 */
final class AnswerJson {

    static final ObjectMapper JSON = new ObjectMapper();

    private AnswerJson() {}

    static ObjectNode of(Answer a, boolean showReasoning, boolean explain) {
        ObjectNode o = JSON.createObjectNode();
        o.put("answer", a.text());
        o.put("route", a.route().label());
        o.put("strategy", a.strategy());
        o.put("effort", a.decision().effort().name().toLowerCase(Locale.ROOT));
        ObjectNode u = o.putObject("usage");
        u.put("prompt_tokens", a.usage().promptTokens());
        u.put("completion_tokens", a.usage().completionTokens());
        u.put("reasoning_tokens", a.usage().reasoningTokens());
        ObjectNode stats = o.putObject("stats");
        for (Map.Entry<String, Object> e : a.stats().entrySet()) stats.set(e.getKey(), JSON.valueToTree(e.getValue()));
        ArrayNode cites = o.putArray("citations");
        for (Citation c : a.citations()) {
            ObjectNode n = cites.addObject();
            n.put("source", c.source());
            n.put("location", c.location());
            n.put("score", c.score());
        }
        if (showReasoning) {
            if (a.reasoning() == null) o.putNull("reasoning"); else o.put("reasoning", a.reasoning());
        }
        if (explain) o.put("explain", a.decision().reason());
        if (!a.notices().isEmpty()) o.set("notices", JSON.valueToTree(a.notices()));
        o.put("finish_reason", a.finishReason());
        return o;
    }
}
