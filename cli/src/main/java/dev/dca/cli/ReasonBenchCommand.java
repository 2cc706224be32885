package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.reasoning.Budget;
import dev.dca.reasoning.Reasoner;
import dev.dca.reasoning.ReasoningResult;
import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.search.BeamSearch;
import dev.dca.reasoning.search.ChainOfThought;
import dev.dca.reasoning.search.ReasoningStrategy;
import dev.dca.reasoning.search.SearchSettings;
import dev.dca.reasoning.search.SelfConsistency;
import dev.dca.router.EnginePolicy;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.hf.RandomHfModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dca reason-bench}: the reasoning core's search overhead on the real engine. For one chain, self-consistency
 * over 8 chains and a 4x4 beam, it reports wall time, time inside the model, the search's own time per generated
 * token, and the speed-up of batched sampling with prefix forking (one call with n samples) over sequential
 * sampling (n calls of one sample). Forced answers are one token (a random-weight model never writes an answer
 * line), so the figures are about the search, not about answer formatting.
 */
@Command(name = "reason-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure reasoning search overhead and batched-vs-sequential sampling (SC@8, beam 4x4) on a model.")
final class ReasonBenchCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--model", paramLabel = "PATH", description = "Model folder or file.")
        Path model;

        @Option(names = "--random-from", paramLabel = "DIR",
                description = "Random weights shaped by DIR/config.json, e.g. ../shared/tokenizers/SmolLM2-135M-Instruct.")
        Path randomFrom;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--chain-tokens", defaultValue = "64", paramLabel = "N", description = "Tokens per chain. Default: ${DEFAULT-VALUE}.")
    int chainTokens;

    @Option(names = "--step-tokens", defaultValue = "16", paramLabel = "N", description = "Tokens per beam step (4 steps deep). Default: ${DEFAULT-VALUE}.")
    int stepTokens;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "R", description = "Runs per configuration (the median is reported). Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    /** Splits a request for n samples into n requests for one: what a backend without batching or forking does. */
    static final class Sequential implements Policy {
        private final Policy inner;

        Sequential(Policy inner) {
            this.inner = inner;
        }

        @Override
        public List<Continuation> sample(PolicyRequest r) {
            List<Continuation> out = new ArrayList<>();
            for (int i = 0; i < r.n(); i++) {
                out.addAll(inner.sample(new PolicyRequest(r.conversation(), r.assistantPrefix(), 1, r.maxTokens(),
                        r.temperature(), r.topP(), r.stopStrings(), r.seed() + i, r.logprobs())));
            }
            return out;
        }

        @Override
        public int promptTokens(PolicyRequest r) {
            return inner.promptTokens(r);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (chainTokens < 2 || stepTokens < 1 || repeat < 1) throw new IllegalArgumentException("--chain-tokens >= 2, --step-tokens >= 1, --repeat >= 1");
        Path tmp = null;
        Path modelPath = source.model;
        try {
            if (source.randomFrom != null) {
                tmp = Files.createTempDirectory("dca-reason-bench-");
                modelPath = RandomHfModel.write(source.randomFrom, tmp, ModelRandomCommand.parseDtype("f32"), 42);
            }
            Map<String, Object> report = new LinkedHashMap<>();
            try (LanguageModel lm = ModelLoader.load(modelPath, LoadOptions.DEFAULT)) {
                Policy engine = new EnginePolicy(lm);
                SearchSettings settings = new SearchSettings(0.8, 0, 0.95, stepTokens, chainTokens, 1);
                String q = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
                        + "How many clips did Natalia sell altogether in April and May?";
                report.put("model", source.model != null ? source.model.toString() : "random f32 from " + source.randomFrom);
                report.put("parameters", lm.info().parameters());
                report.put("chain_tokens", chainTokens);
                report.put("step_tokens", stepTokens);
                // warm-up of both kinds of run: without the SC@8 one, the first SC@8 run also compiled the batch kernels
                // (5.5-8.0 s against 2.1-3.3 s for the runs after it, session 11)
                run(engine, new ChainOfThought(0.8), settings, q);
                run(engine, new SelfConsistency(8), settings, q);
                Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
                // the two runs of the target's ratio alternate, so both are measured in the same minutes of a drifting machine
                List<ReasoningResult> one = new ArrayList<>(), sc8 = new ArrayList<>();
                for (int i = 0; i < repeat; i++) {
                    one.add(timed(engine, new ChainOfThought(0.8), settings, q, i));
                    sc8.add(timed(engine, new SelfConsistency(8), settings, q, i));
                }
                rows.put("one chain", median(one));
                rows.put("sc@8 batched", median(sc8));
                rows.put("sc@8 sequential", measure(new Sequential(engine), () -> new SelfConsistency(8), settings, q));
                rows.put("beam 4x4 batched", measure(engine, () -> new BeamSearch(4, 4, 4), settings, q));
                rows.put("beam 4x4 sequential", measure(new Sequential(engine), () -> new BeamSearch(4, 4, 4), settings, q));
                report.put("results", rows);
                double oneChain = (double) rows.get("one chain").get("wall_s");
                report.put("sc8_over_one_chain", (double) rows.get("sc@8 batched").get("wall_s") / oneChain);
                List<Double> pairs = new ArrayList<>();
                for (int i = 0; i < repeat; i++) pairs.add(seconds(sc8.get(i)) / seconds(one.get(i)));
                report.put("sc8_over_one_chain_runs", pairs);
                report.put("sc8_batched_speedup", (double) rows.get("sc@8 sequential").get("wall_s")
                        / (double) rows.get("sc@8 batched").get("wall_s"));
                report.put("beam_batched_speedup", (double) rows.get("beam 4x4 sequential").get("wall_s")
                        / (double) rows.get("beam 4x4 batched").get("wall_s"));
            }
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(report));
            } else {
                System.out.printf("model %s (%s parameters), %d tokens per chain, %d per beam step%n", report.get("model"),
                        report.get("parameters"), chainTokens, stepTokens);
                System.out.printf("%-20s %8s %8s %8s %8s %14s%n", "run", "wall s", "model s", "tokens", "calls", "search us/tok");
                @SuppressWarnings("unchecked")
                var rows = (Map<String, Map<String, Object>>) report.get("results");
                rows.forEach((k, r) -> System.out.printf(Locale.ROOT, "%-20s %8.3f %8.3f %8d %8d %14.1f%n", k, r.get("wall_s"),
                        r.get("model_s"), r.get("tokens"), r.get("calls"), r.get("search_us_per_token")));
                System.out.printf(Locale.ROOT, "SC@8 / one chain: %.2fx (target <= 2.5x); batched speed-up: SC@8 %.2fx, beam 4x4 %.2fx%n",
                        report.get("sc8_over_one_chain"), report.get("sc8_batched_speedup"), report.get("beam_batched_speedup"));
            }
            return 0;
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Map<String, Object> measure(Policy policy, Supplier<ReasoningStrategy> strategy, SearchSettings settings, String q) {
        List<ReasoningResult> runs = new ArrayList<>();
        for (int i = 0; i < repeat; i++) runs.add(timed(policy, strategy.get(), settings, q, i));
        return median(runs);
    }

    /** One run, reported on stderr as it ends. */
    private ReasoningResult timed(Policy policy, ReasoningStrategy strategy, SearchSettings settings, String q, int i) {
        ReasoningResult r = run(policy, strategy, settings, q);
        System.err.printf(Locale.ROOT, "%s%s run %d/%d: %.2f s%n", strategy.describe(), policy instanceof Sequential ? " (sequential)" : "",
                i + 1, repeat, seconds(r));
        return r;
    }

    private static double seconds(ReasoningResult r) {
        return r.stats().wallTime().toNanos() / 1e9;
    }

    /** The row of the run with the median wall time. */
    private static Map<String, Object> median(List<ReasoningResult> results) {
        List<ReasoningResult> runs = new ArrayList<>(results);
        runs.sort((a, b) -> a.stats().wallTime().compareTo(b.stats().wallTime()));
        ReasoningResult r = runs.get(runs.size() / 2);
        double wall = seconds(r);
        double model = r.stats().modelTime().toNanos() / 1e9;
        int tokens = r.usage().completionTokens();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("wall_s", wall);
        row.put("model_s", model);
        row.put("tokens", tokens);
        row.put("calls", r.stats().calls());
        row.put("samples", r.stats().samples());
        row.put("search_us_per_token", tokens == 0 ? 0.0 : (wall - model) * 1e6 / tokens);
        return row;
    }

    private static ReasoningResult run(Policy policy, ReasoningStrategy strategy, SearchSettings settings, String q) {
        return Reasoner.builder().policy(policy).strategy(strategy).settings(settings).budget(Budget.UNLIMITED)
                .scorer(null).verifier(null).calculator(null, false).seed(1).build().solve(q); // whole-chain sampling
    }
}
