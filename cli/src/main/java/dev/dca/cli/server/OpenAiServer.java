package dev.dca.cli.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dca.knowledge.Embedder;
import dev.dca.router.Answer;
import dev.dca.router.AnswerListener;
import dev.dca.router.Dca;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An OpenAI-compatible HTTP server over a {@link Dca}: {@code POST /v1/chat/completions} (JSON or server-sent
 * events ending {@code data: [DONE]}), {@code GET /v1/models}, {@code POST /v1/embeddings} (the knowledge base's
 * MiniLM embedder) and {@code GET /health}.
 *
 * <p>The JDK's {@code HttpServer} with one virtual thread per request (no framework needed for four routes);
 * Jackson for JSON. Requests are answered one at a time in arrival order by {@link Dca}'s queue, so concurrent
 * clients never share KV-cache state. A streaming client that disconnects makes the next write fail; the answer's
 * listener then reports {@code cancelled()}, the engine stops, and the slot goes to the next request.
 *
 * <p>With an API key, every {@code /v1/} request needs {@code Authorization: Bearer KEY} (401 otherwise);
 * {@code /health} stays open for probes. Errors are OpenAI-style {@code {"error":{"message","type","param","code"}}}.
 */
public final class OpenAiServer implements AutoCloseable {

    /** Request bodies larger than this get 413. */
    public static final int MAX_BODY_BYTES = 1 << 20;
    /** At most this many texts per embeddings request. */
    public static final int MAX_EMBEDDING_INPUTS = 256;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Dca dca;
    private final Supplier<Embedder> embedder;
    private final String apiKey;
    private final String modelId;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final long created = Instant.now().getEpochSecond();

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();

    /**
     * @param embedder supplies the embedder on first use (null: {@code /v1/embeddings} answers 404)
     * @param apiKey null or blank: no authentication
     */
    public OpenAiServer(Dca dca, Supplier<Embedder> embedder, String host, int port, String apiKey, String modelId) throws IOException {
        this.dca = dca;
        this.embedder = embedder == null ? null : memoize(embedder);
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.modelId = modelId;
        this.http = HttpServer.create(new InetSocketAddress(host, port), 64);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
    }

    public OpenAiServer start() {
        http.start();
        return this;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String host() {
        return http.getAddress().getHostString();
    }

    /** Answers finished and answers cancelled (client gone) so far; for health and tests. */
    public long completed() { return completed.get(); }
    public long cancelled() { return cancelled.get(); }
    public int inFlight() { return inFlight.get(); }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------ dispatch

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            try {
                if (path.equals("/health") || path.equals("/v1/health")) {
                    requireMethod(method, "GET");
                    health(ex);
                    return;
                }
                if (!path.startsWith("/v1/")) throw new ApiException(404, "not_found_error", "no such endpoint: " + path, null, null);
                authenticate(ex);
                switch (path) {
                    case "/v1/models" -> {
                        requireMethod(method, "GET");
                        models(ex);
                    }
                    case "/v1/chat/completions" -> {
                        requireMethod(method, "POST");
                        chat(ex, readJson(ex));
                    }
                    case "/v1/embeddings" -> {
                        requireMethod(method, "POST");
                        embeddings(ex, readJson(ex));
                    }
                    default -> throw new ApiException(404, "not_found_error", "no such endpoint: " + path, null, null);
                }
            } catch (ApiException e) {
                sendError(ex, e.status, e.type, e.getMessage(), e.param, e.code);
            } catch (IllegalArgumentException e) {
                // user errors from the router: a prompt that does not fit, a route without a knowledge base...
                String code = e.getMessage() != null && e.getMessage().contains("context") ? "context_length_exceeded" : null;
                sendError(ex, 400, "invalid_request_error", e.getMessage(), null, code);
            } catch (CancellationException e) {
                cancelled.incrementAndGet();
            } catch (IOException e) {
                // the client went away; nothing to answer
            } catch (RuntimeException e) {
                sendError(ex, 500, "server_error", "internal error: " + e, null, null);
            }
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equalsIgnoreCase(expected)) {
            throw new ApiException(405, "invalid_request_error", "method " + method + " not allowed; use " + expected, null, null);
        }
    }

    private void authenticate(HttpExchange ex) {
        if (apiKey == null) return;
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String expected = "Bearer " + apiKey;
        boolean ok = auth != null && MessageDigest.isEqual(auth.strip().getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            throw new ApiException(401, "invalid_request_error",
                    auth == null ? "missing API key: send Authorization: Bearer KEY" : "incorrect API key", null, "invalid_api_key");
        }
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.strip()) > MAX_BODY_BYTES) {
                    drain(ex.getRequestBody());
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad Content-Length header", null);
            }
        }
        byte[] body = readLimited(ex.getRequestBody());
        if (body.length == 0) throw ApiException.badRequest("the request body is empty; send a JSON object", null);
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage(), null);
        }
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() + n > MAX_BODY_BYTES) {
                drain(in);
                throw tooLarge();
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Reads and discards what is left of an oversized body (up to a bound) before the 413 goes out: a server that
     * answers and closes while the client is still sending makes most clients see a connection reset instead of
     * the error. Past the bound the connection is simply closed.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[65536];
        long left = 16L * MAX_BODY_BYTES;
        int n;
        while (left > 0 && (n = in.read(buf)) > 0) left -= n;
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "invalid_request_error", "request body exceeds " + MAX_BODY_BYTES + " bytes", null, "request_too_large");
    }

    // ------------------------------------------------------------------------------------------ endpoints

    private void health(HttpExchange ex) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("status", "ok");
        o.put("model", modelId);
        o.put("in_flight", inFlight.get());
        o.put("completed", completed.get());
        o.put("cancelled", cancelled.get());
        o.put("knowledge_base", dca.hasKnowledgeBase());
        sendJson(ex, 200, o);
    }

    private void models(HttpExchange ex) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("object", "list");
        ObjectNode m = o.putArray("data").addObject();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "dca");
        sendJson(ex, 200, o);
    }

    private void embeddings(HttpExchange ex, JsonNode body) throws IOException {
        if (embedder == null) throw new ApiException(404, "not_found_error", "embeddings are not available on this server", null, null);
        if (!body.isObject()) throw ApiException.badRequest("the request body must be a JSON object", null);
        JsonNode input = body.get("input");
        List<String> texts;
        if (input == null || input.isNull()) throw ApiException.badRequest("missing required field 'input'", "input");
        if (input.isTextual()) {
            texts = List.of(input.asText());
        } else if (input.isArray() && !input.isEmpty()) {
            if (input.size() > MAX_EMBEDDING_INPUTS) throw ApiException.badRequest("at most " + MAX_EMBEDDING_INPUTS + " inputs per request", "input");
            texts = new java.util.ArrayList<>();
            for (JsonNode t : input) {
                if (!t.isTextual()) throw ApiException.badRequest("'input' must be a string or an array of strings", "input");
                texts.add(t.asText());
            }
        } else {
            throw ApiException.badRequest("'input' must be a string or a non-empty array of strings", "input");
        }
        JsonNode format = body.get("encoding_format");
        if (format != null && !format.isNull() && !"float".equals(format.asText())) {
            throw ApiException.badRequest("only encoding_format 'float' is supported", "encoding_format");
        }
        Embedder e = embedder.get();
        float[][] vectors = e.embed(texts);
        ObjectNode o = JSON.createObjectNode();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        int tokens = 0;
        for (int i = 0; i < vectors.length; i++) {
            ObjectNode d = data.addObject();
            d.put("object", "embedding");
            d.put("index", i);
            ArrayNode v = d.putArray("embedding");
            for (float f : vectors[i]) v.add(f);
            tokens += texts.get(i).split("\\s+").length; // approximate: the embedder does not expose its tokenizer
        }
        o.put("model", e.name());
        ObjectNode usage = o.putObject("usage");
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        sendJson(ex, 200, o);
    }

    private void chat(HttpExchange ex, JsonNode body) throws IOException {
        ChatCompletionRequest req = ChatCompletionRequest.parse(body, dca.model().info().contextLength());
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        inFlight.incrementAndGet();
        try {
            if (req.stream()) {
                stream(ex, req, id, now);
            } else {
                Answer a = dca.ask(req.ask());
                ObjectNode o = completionEnvelope(id, now, "chat.completion");
                ObjectNode choice = o.putArray("choices").addObject();
                choice.put("index", 0);
                ObjectNode msg = choice.putObject("message");
                msg.put("role", "assistant");
                msg.put("content", a.text());
                choice.putNull("logprobs");
                choice.put("finish_reason", finishReason(a));
                o.set("usage", usage(a));
                addAnswerHeaders(ex, a);
                sendJson(ex, 200, o);
                completed.incrementAndGet();
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Streams an answer as server-sent events. The status line is sent with the first event, so a request that
     * fails before any text (a prompt that does not fit, a route without a knowledge base) still gets a 4xx. While
     * the reasoning core thinks, SSE comment lines ({@code : thinking 120/512}) keep the connection alive and find
     * out early when the client has gone.
     */
    private void stream(HttpExchange ex, ChatCompletionRequest req, String id, long now) throws IOException {
        AtomicBoolean gone = new AtomicBoolean();
        SseWriter sse = new SseWriter(ex, gone, () -> {
            // the role comes first, as OpenAI sends it
            ObjectNode first = chunk(id, now);
            ObjectNode delta0 = ((ObjectNode) first.withArray("choices").get(0)).putObject("delta");
            delta0.put("role", "assistant");
            delta0.put("content", "");
            return first;
        });
        Answer a = dca.ask(req.ask(), new AnswerListener() {
            @Override
            public void onRoute(dev.dca.router.RouteDecision d) {
                // the headers have not gone yet (they go with the first event)
                ex.getResponseHeaders().set("X-Dca-Route", d.route().label());
            }

            @Override
            public void onThinking(int tokens, int budget) {
                sse.comment("thinking " + tokens + "/" + budget);
            }

            @Override
            public void onText(String delta) {
                ObjectNode c = chunk(id, now);
                ((ObjectNode) c.withArray("choices").get(0)).putObject("delta").put("content", delta);
                sse.send(c);
            }

            @Override
            public boolean cancelled() {
                return gone.get();
            }
        });
        if (a.cancelled() || gone.get()) {
            cancelled.incrementAndGet();
            return;
        }
        ObjectNode last = chunk(id, now);
        ObjectNode ch = (ObjectNode) last.withArray("choices").get(0);
        ch.putObject("delta");
        ch.put("finish_reason", finishReason(a));
        sse.send(last);
        if (req.includeUsage()) {
            ObjectNode u = completionEnvelope(id, now, "chat.completion.chunk");
            u.putArray("choices");
            u.set("usage", usage(a));
            sse.send(u);
        }
        sse.done();
        if (gone.get()) cancelled.incrementAndGet();
        else completed.incrementAndGet();
    }

    /**
     * Writes SSE events, sending the headers and the opening event before the first one; the first failed write
     * marks the client as gone (and so the answer as cancelled).
     */
    private static final class SseWriter {
        private final HttpExchange ex;
        private final AtomicBoolean gone;
        private final Supplier<JsonNode> opening;
        private OutputStream out;

        SseWriter(HttpExchange ex, AtomicBoolean gone, Supplier<JsonNode> opening) {
            this.ex = ex;
            this.gone = gone;
            this.opening = opening;
        }

        void send(JsonNode event) {
            write("data: " + json(event) + "\n\n");
        }

        void comment(String text) {
            write(": " + text + "\n\n");
        }

        void done() {
            write("data: [DONE]\n\n");
        }

        private void write(String s) {
            if (gone.get()) return;
            try {
                if (out == null) {
                    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
                    ex.getResponseHeaders().set("Cache-Control", "no-cache");
                    ex.sendResponseHeaders(200, 0);
                    out = ex.getResponseBody();
                    out.write(("data: " + json(opening.get()) + "\n\n").getBytes(StandardCharsets.UTF_8));
                }
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                gone.set(true);
            }
        }

        private static String json(JsonNode n) {
            try {
                return JSON.writeValueAsString(n);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private ObjectNode completionEnvelope(String id, long now, String object) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", now);
        o.put("model", modelId);
        return o;
    }

    private ObjectNode chunk(String id, long now) {
        ObjectNode o = completionEnvelope(id, now, "chat.completion.chunk");
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        c.putNull("finish_reason");
        return o;
    }

    private static ObjectNode usage(Answer a) {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", a.usage().promptTokens());
        u.put("completion_tokens", a.usage().completionTokens());
        u.put("total_tokens", a.usage().totalTokens());
        u.putObject("completion_tokens_details").put("reasoning_tokens", a.usage().reasoningTokens());
        return u;
    }

    private static String finishReason(Answer a) {
        return "length".equals(a.finishReason()) ? "length" : "stop";
    }

    private static void addAnswerHeaders(HttpExchange ex, Answer a) {
        ex.getResponseHeaders().set("X-Dca-Route", a.route().label());
        ex.getResponseHeaders().set("X-Dca-Strategy", a.strategy());
        if (!a.notices().isEmpty()) ex.getResponseHeaders().set("X-Dca-Notice", String.join("; ", a.notices()));
    }

    private static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void sendError(HttpExchange ex, int status, String type, String message, String param, String code) {
        try {
            ObjectNode o = JSON.createObjectNode();
            ObjectNode e = o.putObject("error");
            e.put("message", message == null ? type : message);
            e.put("type", type);
            if (param == null) e.putNull("param"); else e.put("param", param);
            if (code == null) e.putNull("code"); else e.put("code", code);
            if (status == 401) ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            sendJson(ex, status, o);
        } catch (IOException | RuntimeException ignored) {
            // headers already sent or client gone: nothing more to tell it
        }
    }

    private static <T> Supplier<T> memoize(Supplier<T> s) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public synchronized T get() {
                if (value == null) value = s.get();
                return value;
            }
        };
    }
}
