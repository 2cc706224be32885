package dev.dca.cli.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dca.reasoning.Effort;
import dev.dca.router.AskRequest;
import dev.dca.router.Route;
import dev.dca.runtime.chat.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code /v1/chat/completions} body, validated: every known field must have its documented type and range
 * (a wrong one is a 400 naming the field); unknown fields are ignored, as OpenAI-compatible servers commonly do.
 * Supported: {@code messages} (system/developer/user/assistant; string content or text parts), {@code stream},
 * {@code stream_options.include_usage}, {@code max_tokens}/{@code max_completion_tokens}, {@code temperature},
 * {@code top_p}, {@code stop} (string or up to 4 strings), {@code seed}, {@code n} (1 only),
 * {@code reasoning_effort} (low/medium/high, plus dca's auto), and dca's own {@code route} and
 * {@code max_reasoning_tokens}.
 */
record ChatCompletionRequest(AskRequest ask, boolean stream, boolean includeUsage) {

    static ChatCompletionRequest parse(JsonNode body, int maxTokensCap) {
        if (body == null || !body.isObject()) throw ApiException.badRequest("the request body must be a JSON object", null);
        JsonNode msgs = body.get("messages");
        if (msgs == null || msgs.isNull()) throw ApiException.badRequest("missing required field 'messages'", "messages");
        if (!msgs.isArray() || msgs.isEmpty()) throw ApiException.badRequest("'messages' must be a non-empty array", "messages");
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String p = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.badRequest(p + " must be an object", p);
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) throw ApiException.badRequest(p + ".role must be a string", p + ".role");
            String r = role.asText();
            if (r.equals("developer")) r = "system";
            if (!r.equals("system") && !r.equals("user") && !r.equals("assistant")) {
                throw ApiException.badRequest(p + ".role '" + role.asText() + "' is not supported (system, developer, user, assistant)", p + ".role");
            }
            messages.add(new Message(r, content(m.get("content"), p + ".content")));
        }
        Message last = messages.getLast();
        if (!last.role().equals("user")) throw ApiException.badRequest("the last message must be a user message", "messages");
        if (last.content().isBlank()) throw ApiException.badRequest("the last user message is empty", "messages");

        AskRequest.Builder ask = AskRequest.builder(last.content()).history(messages.subList(0, messages.size() - 1));
        Integer maxTokens = optInt(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) maxTokens = optInt(body, "max_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens != null) {
            if (maxTokens > maxTokensCap) {
                throw ApiException.badRequest("max tokens " + maxTokens + " exceeds the model's context length (" + maxTokensCap + ")",
                        body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", "context_length_exceeded");
            }
            ask.maxTokens(maxTokens);
        }
        Double t = optDouble(body, "temperature", 0, 2);
        if (t != null) ask.temperature(t);
        Double topP = optDouble(body, "top_p", Double.MIN_VALUE, 1);
        if (topP != null) ask.topP(topP);
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull()) {
            if (!seed.isIntegralNumber()) throw ApiException.badRequest("'seed' must be an integer", "seed");
            ask.seed(seed.asLong());
        }
        Integer n = optInt(body, "n", 1, Integer.MAX_VALUE);
        if (n != null && n != 1) throw ApiException.badRequest("only n = 1 is supported", "n");
        ask.stop(stops(body.get("stop")));
        JsonNode effort = body.get("reasoning_effort");
        if (effort != null && !effort.isNull()) {
            if (!effort.isTextual()) throw ApiException.badRequest("'reasoning_effort' must be a string", "reasoning_effort");
            String e = effort.asText().toLowerCase(Locale.ROOT);
            if (e.equals("minimal") || e.equals("none")) e = "low";
            try {
                ask.effort(Effort.parse(e));
            } catch (IllegalArgumentException ex) {
                throw ApiException.badRequest("'reasoning_effort' must be low, medium or high, got '" + effort.asText() + "'", "reasoning_effort");
            }
        }
        Integer maxReasoning = optInt(body, "max_reasoning_tokens", 1, Integer.MAX_VALUE);
        if (maxReasoning != null) ask.maxReasoningTokens(maxReasoning);
        JsonNode route = body.get("route");
        if (route != null && !route.isNull()) {
            if (!route.isTextual()) throw ApiException.badRequest("'route' must be a string", "route");
            try {
                ask.route(Route.parse(route.asText()));
            } catch (IllegalArgumentException ex) {
                throw ApiException.badRequest(ex.getMessage(), "route");
            }
        }
        boolean stream = optBool(body, "stream");
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) throw ApiException.badRequest("'stream_options' must be an object", "stream_options");
            includeUsage = optBool(so, "include_usage");
        }
        try {
            return new ChatCompletionRequest(ask.build(), stream, includeUsage);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage(), null);
        }
    }

    private static String content(JsonNode c, String param) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.badRequest(param + " parts must be {\"type\":\"text\",\"text\":...}; only text is supported", param);
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiException.badRequest(param + " must be a string or an array of text parts", param);
    }

    private static List<String> stops(JsonNode s) {
        if (s == null || s.isNull()) return List.of();
        if (s.isTextual()) return s.asText().isEmpty() ? List.of() : List.of(s.asText());
        if (s.isArray()) {
            if (s.size() > 4) throw ApiException.badRequest("'stop' holds at most 4 strings", "stop");
            List<String> out = new ArrayList<>();
            for (JsonNode x : s) {
                if (!x.isTextual()) throw ApiException.badRequest("'stop' must be a string or an array of strings", "stop");
                if (!x.asText().isEmpty()) out.add(x.asText());
            }
            return out;
        }
        throw ApiException.badRequest("'stop' must be a string or an array of strings", "stop");
    }

    private static Integer optInt(JsonNode body, String field, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiException.badRequest("'" + field + "' must be an integer", field);
        int i = v.asInt();
        if (i < min || i > max) throw ApiException.badRequest("'" + field + "' must be >= " + min + ", got " + i, field);
        return i;
    }

    private static Double optDouble(JsonNode body, String field, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw ApiException.badRequest("'" + field + "' must be a number", field);
        double d = v.asDouble();
        if (!(d >= min && d <= max)) throw ApiException.badRequest("'" + field + "' must be in [" + (min == Double.MIN_VALUE ? 0 : min) + ", " + max + "], got " + d, field);
        return d;
    }

    private static boolean optBool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw ApiException.badRequest("'" + field + "' must be a boolean", field);
        return v.asBoolean();
    }
}
