package dev.dca.cli;

import dev.dca.cli.server.OpenAiServer;
import dev.dca.knowledge.Embedder;
import dev.dca.router.Dca;
import dev.dca.runtime.LanguageModel;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dca serve}: the OpenAI-compatible HTTP server, on loopback unless told otherwise. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve /v1/chat/completions, /v1/models, /v1/embeddings and /health (OpenAI-compatible).")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind. Default: ${DEFAULT-VALUE} (loopback only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (0 picks a free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require Authorization: Bearer KEY on /v1/ requests (default: $DCA_API_KEY if set).")
    String apiKey;

    @Mixin
    AssistantOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        String key = apiKey != null ? apiKey : System.getenv("DCA_API_KEY");
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel model = options.loadModel(); Dca dca = options.builder(model).build()) {
            String id = model.info().path() == null || model.info().path().getFileName() == null ? "dca"
                    : model.info().path().getFileName().toString();
            try (OpenAiServer server = new OpenAiServer(dca, Embedder::allMiniLmL6V2, host, port, key, id).start()) {
                out.println("dca serve: http://" + host + ":" + server.port() + "/v1 (model " + id + ")"
                        + (key == null || key.isBlank() ? "" : ", API key required"));
                if (!InetAddress.getByName(host).isLoopbackAddress() && (key == null || key.isBlank())) {
                    out.println("warning: listening beyond loopback without --api-key");
                }
                out.flush();
                CountDownLatch forever = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
                forever.await();
            }
        }
        return 0;
    }
}
