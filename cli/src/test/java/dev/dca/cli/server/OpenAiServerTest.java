package dev.dca.cli.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.knowledge.Embedder;
import dev.dca.router.Dca;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.ModelLoader;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server on a random loopback port with the real engine (stories260K, no chat template: plain fallback),
 * driven by langchain4j's OpenAI client and by raw HTTP.
 */
class OpenAiServerTest {

    static final String KEY = "test-key-123";
    static final ObjectMapper JSON = new ObjectMapper();

    static LanguageModel model;
    static Dca dca;
    static OpenAiServer server;
    static String base;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        String shared = System.getProperty("dca.shared", "../../shared");
        Path stories = Path.of(shared, "models", "stories260K");
        assumeTrue(Files.isRegularFile(stories.resolve("stories260K.bin")), "../shared/models/stories260K is absent");
        model = ModelLoader.load(stories);
        dca = Dca.builder().model(model).build();
        server = new OpenAiServer(dca, Embedder::allMiniLmL6V2, "127.0.0.1", 0, KEY, "stories260K").start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (dca != null) dca.close();
        if (model != null) model.close();
    }

    private static OpenAiChatModel client(int maxTokens) {
        return OpenAiChatModel.builder().baseUrl(base + "/v1").apiKey(KEY).modelName("stories260K")
                .temperature(0.0).maxTokens(maxTokens).timeout(Duration.ofSeconds(120)).build();
    }

    private static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode health() throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void should_answer_a_langchain4j_openai_client_with_usage() {
        ChatResponse r = client(8).chat(UserMessage.from("Tell me a story about a cat."));
        assertThat(r.aiMessage().text()).isNotBlank();
        assertThat(r.tokenUsage().inputTokenCount()).isPositive();
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 8);
        assertThat(r.metadata().modelName()).isEqualTo("stories260K");
    }

    @Test
    void should_stream_the_same_text_as_the_plain_answer_at_temperature_zero() throws Exception {
        String plain = client(10).chat("Tell me a story about a dog.");
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(base + "/v1").apiKey(KEY)
                .modelName("stories260K").temperature(0.0).maxTokens(10).timeout(Duration.ofSeconds(120)).build();
        StringBuilder parts = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("Tell me a story about a dog.", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                parts.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(120, TimeUnit.SECONDS);
        assertThat(parts.toString()).isEqualTo(plain);
        assertThat(r.aiMessage().text()).isEqualTo(plain);
    }

    @Test
    void should_end_a_raw_stream_with_done_and_report_usage_with_reasoning_tokens() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", """
                {"model":"x","stream":true,"stream_options":{"include_usage":true},"max_tokens":6,"temperature":0,
                 "messages":[{"role":"user","content":"Tell me a story about a bird."}]}""", KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        JsonNode usage = JSON.readTree(events.get(events.size() - 2)).get("usage");
        assertThat(usage.get("completion_tokens").asInt()).isBetween(1, 6);
        assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt()).isZero();
        assertThat(JSON.readTree(events.get(0)).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    }

    @Test
    void should_reason_with_reasoning_effort_and_count_reasoning_tokens() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", """
                {"model":"x","reasoning_effort":"low","max_reasoning_tokens":24,"max_completion_tokens":8,
                 "messages":[{"role":"user","content":"What is 17 + 25?"}]}""", KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(r.headers().firstValue("X-Dca-Route")).hasValue("reasoning");
        int reasoning = body.at("/usage/completion_tokens_details/reasoning_tokens").asInt();
        assertThat(reasoning).isBetween(1, 24);
        assertThat(body.at("/usage/completion_tokens").asInt()).isGreaterThanOrEqualTo(reasoning);
        assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
    }

    @Test
    void should_stream_a_reasoning_answer_to_a_langchain4j_client_and_refuse_a_too_long_stream_with_400() throws Exception {
        HttpResponse<String> raw = post("/v1/chat/completions", """
                {"stream":true,"reasoning_effort":"low","max_reasoning_tokens":16,
                 "messages":[{"role":"user","content":"What is 17 + 25?"}]}""", KEY);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).contains(": thinking ").endsWith("data: [DONE]\n\n");
        assertThat(raw.headers().firstValue("X-Dca-Route")).hasValue("reasoning");

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(base + "/v1").apiKey(KEY)
                .modelName("stories260K").maxTokens(8).timeout(Duration.ofSeconds(120)).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("What is 17 + 25?", new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String partial) {}
            @Override public void onCompleteResponse(ChatResponse response) { done.complete(response); }
            @Override public void onError(Throwable error) { done.completeExceptionally(error); }
        });
        assertThat(done.get(300, TimeUnit.SECONDS).aiMessage().text()).isNotBlank();

        HttpResponse<String> tooLong = post("/v1/chat/completions", "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
                + "once upon a time ".repeat(400) + "\"}]}", KEY);
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(tooLong.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void should_embed_texts_with_minilm() throws Exception {
        HttpResponse<String> r = post("/v1/embeddings", "{\"model\":\"all-minilm\",\"input\":[\"How deep is the lake?\",\"lake depth\"]}", KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode data = JSON.readTree(r.body()).get("data");
        assertThat(data).hasSize(2);
        JsonNode v = data.get(0).get("embedding");
        assertThat(v).hasSize(384);
        double norm = 0;
        for (JsonNode x : v) norm += x.asDouble() * x.asDouble();
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(post("/v1/embeddings", "{\"input\":[1,2]}", KEY).statusCode()).isEqualTo(400);
    }

    @Test
    void should_list_models_and_answer_health() throws Exception {
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(models.body()).at("/data/0/id").asText()).isEqualTo("stories260K");
        assertThat(health().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void should_refuse_requests_without_the_api_key() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> none = post("/v1/chat/completions", body, null);
        HttpResponse<String> wrong = post("/v1/chat/completions", body, "nope");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(401);
    }

    @Test
    void should_answer_bad_requests_with_an_openai_style_error() throws Exception {
        record Case(String body, int status, String mentions) {}
        List<Case> cases = List.of(
                new Case("{\"messages\": [", 400, "malformed JSON"),
                new Case("[1,2]", 400, "JSON object"),
                new Case("{}", 400, "messages"),
                new Case("{\"messages\":\"hi\"}", 400, "messages"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":42}]}", 400, "content"),
                new Case("{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "role"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}", 400, "temperature"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":-3}", 400, "max_tokens"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":\"yes\"}", 400, "stream"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":[1]}", 400, "stop"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"reasoning_effort\":\"max\"}", 400, "reasoning_effort"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"" + "once upon a time ".repeat(400) + "\"}]}", 400, "tokens"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(OpenAiServer.MAX_BODY_BYTES) + "\"}]}", 413, "exceeds"));
        for (Case c : cases) {
            HttpResponse<String> r = post("/v1/chat/completions", c.body(), KEY);
            assertThat(r.statusCode()).as(c.body().substring(0, Math.min(80, c.body().length()))).isEqualTo(c.status());
            JsonNode err = JSON.readTree(r.body()).get("error");
            assertThat(err).as(r.body()).isNotNull();
            assertThat(err.get("message").asText()).containsIgnoringCase(c.mentions());
            assertThat(err.get("type").asText()).isEqualTo("invalid_request_error");
        }
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/nothing")).header("Authorization", "Bearer " + KEY)
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    @Test
    void eight_concurrent_clients_get_the_answers_they_get_one_at_a_time() throws Exception {
        // all greedy (temperature 0); each client asks its own question with its own answer length, so the eight
        // answers differ and a mix-up between clients would show
        List<String> prompts = List.of("a cat", "a dog", "a bird", "a fish", "a tree", "a boat", "a frog", "a king")
                .stream().map(s -> "Tell me a story about " + s + ".").toList();
        List<OpenAiChatModel> clients = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) clients.add(client(3 + i));
        List<String> sequential = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) sequential.add(clients.get(i).chat(prompts.get(i)));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int k = i;
                futures.add(pool.submit(() -> clients.get(k).chat(prompts.get(k))));
            }
            List<String> concurrent = new ArrayList<>();
            for (Future<String> f : futures) concurrent.add(f.get(300, TimeUnit.SECONDS));
            assertThat(concurrent).isEqualTo(sequential);
        } finally {
            pool.shutdownNow();
        }
        assertThat(sequential.stream().distinct().count()).as("answers differ between clients: " + sequential).isGreaterThan(4);
    }

    @Test
    void a_client_that_disconnects_mid_stream_frees_its_slot() throws Exception {
        long cancelledBefore = health().get("cancelled").asLong();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"stream":true,"max_tokens":400,"temperature":0,
                         "messages":[{"role":"user","content":"Tell me a long story about a princess."}]}"""))
                .build();
        HttpClient own = HttpClient.newHttpClient();
        HttpResponse<InputStream> r = own.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            int contentEvents = 0;
            String line;
            while (contentEvents < 3 && (line = in.readLine()) != null) {
                if (line.startsWith("data: ") && line.contains("\"content\"")) contentEvents++;
            }
            assertThat(contentEvents).isEqualTo(3);
        } // closing the body mid-stream drops the connection
        own.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && health().get("cancelled").asLong() == cancelledBefore) Thread.sleep(100);
        assertThat(health().get("cancelled").asLong()).isEqualTo(cancelledBefore + 1);
        assertThat(health().get("in_flight").asInt()).isZero();
        // the slot is free: a new request is answered
        assertThat(client(4).chat("Tell me a story about a mouse.")).isNotBlank();
    }
}
