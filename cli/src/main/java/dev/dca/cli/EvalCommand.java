package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.reasoning.Budget;
import dev.dca.reasoning.Effort;
import dev.dca.reasoning.Reasoner;
import dev.dca.reasoning.Strategies;
import dev.dca.reasoning.eval.Datasets;
import dev.dca.reasoning.eval.Evaluator;
import dev.dca.reasoning.eval.Problem;
import dev.dca.reasoning.eval.SweepPlot;
import dev.dca.reasoning.verify.AnswerAgreement;
import dev.dca.reasoning.verify.Calculator;
import dev.dca.reasoning.verify.CompositeScorer;
import dev.dca.reasoning.verify.NumberCoverage;
import dev.dca.reasoning.verify.NumberGrounding;
import dev.dca.reasoning.verify.SelfEvaluation;
import dev.dca.reasoning.verify.StepScorer;
import dev.dca.reasoning.verify.Verifier;
import dev.dca.reasoning.verify.WordGrounding;
import dev.dca.router.EnginePolicy;
import dev.dca.router.ModelResolver;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dca eval}: accuracy of hidden reasoning on a GSM8K- or MATH-style JSONL dataset, optionally over budgets. */
@Command(name = "eval", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Evaluate reasoning on a JSONL dataset (GSM8K form: answer ends with '#### N'; MATH form: "
                + "answer field or \\boxed{} in solution): accuracy, mean reasoning tokens, seconds per problem.")
final class EvalCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--dataset", required = true, paramLabel = "FILE|builtin:NAME",
            description = "JSONL dataset (GSM8K or MATH form), builtin:holdout (the foundry's held-out problem families), builtin:fresh (new problems of the trained families) or builtin:arith-sample.")
    String dataset;

    @Option(names = "--model", paramLabel = "PATH",
            description = "Model: a Hugging Face folder, a .gguf file or a llama2.c .bin (default: $DCA_MODEL, else the bundled model).")
    Path model;

    @Option(names = "--strategy", paramLabel = "S",
            description = "direct, cot, self-consistency, best-of-n, beam, mcts or reflect (default: the effort's); with --sweep, a comma-separated list draws one line each.")
    String strategy;

    @Option(names = "--effort", paramLabel = "E", defaultValue = "medium",
            description = "low, medium or high: strategy, scorers and default budget.")
    String effort;

    @Option(names = "--max-reasoning-tokens", paramLabel = "N", description = "Token cap per problem (default: the effort's).")
    Integer maxReasoningTokens;

    @Option(names = "--max-nodes", paramLabel = "N", description = "Search-tree node cap per problem.")
    Integer maxNodes;

    @Option(names = "--max-samples", paramLabel = "N", description = "Sampled-continuation cap per problem.")
    Integer maxSamples;

    @Option(names = "--max-seconds", paramLabel = "S", description = "Wall-time cap per problem.")
    Double maxSeconds;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N problems.")
    Integer limit;

    @Option(names = "--seed", paramLabel = "S", description = "Sampling seed.")
    long seed = 0;

    @Option(names = "--calculator", paramLabel = "on|off",
            description = "Check and correct arithmetic with the calculator tool (default: the effort's).")
    String calculator;

    @Option(names = "--scorer", paramLabel = "S[,S]",
            description = "Step scorers for step searches: grounding (operands from the question), words (the step's words from the question), self-evaluation (comma-separated, averaged) or none (default: the effort's).")
    String scorer;

    @Option(names = "--verifier", paramLabel = "V",
            description = "Verifier that weights finished chains: agreement, coverage (share of the question's numbers the chain uses) or none (default: the effort's).")
    String verifier;

    @Option(names = "--json", description = "Print JSON: {\"accuracy\",\"n\",\"mean_reasoning_tokens\",\"seconds_per_problem\"} (an array with --sweep).")
    boolean json;

    @Option(names = "--sweep", description = "Run token budgets 16, 32, 64, ... up to the max reasoning tokens.")
    boolean sweep;

    @Option(names = "--plot", paramLabel = "PNG", description = "With --sweep: draw accuracy against reasoning tokens.")
    Path plot;

    @Option(names = "--trace", paramLabel = "JSONL", description = "Write every problem's search trace (nodes and chosen/rejected pairs).")
    Path trace;

    @Override
    public Integer call() throws Exception {
        Effort e = Effort.parse(effort);
        if (e == Effort.AUTO) throw new IllegalArgumentException("--effort auto needs the router; use low, medium or high for eval");
        List<String> strategies = strategy == null ? java.util.Collections.singletonList(null) : List.of(strategy.split(","));
        for (String s : strategies) if (s != null) Strategies.byName(s.strip()); // fail fast on a bad name
        if (strategies.size() > 1 && !sweep) throw new IllegalArgumentException("several --strategy values need --sweep");
        if (plot != null && !sweep) throw new IllegalArgumentException("--plot needs --sweep");
        Boolean calc = calculator == null ? null : switch (calculator) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("--calculator must be on or off, got '" + calculator + "'");
        };
        if (limit != null && limit < 1) throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        if (scorer != null) scorers(scorer); // fail fast on a bad name, before the model loads
        if (verifier != null) verifier(verifier);
        int generated = limit == null ? HOLDOUT_SIZE : limit;
        List<Problem> problems = HOLDOUT.equals(dataset) ? holdout(generated)
                : FRESH.equals(dataset) ? fresh(generated) : Datasets.load(dataset);
        if (limit != null && limit < problems.size()) problems = problems.subList(0, limit);
        Budget base = budget(e.defaultBudget());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LanguageModel m = ModelLoader.load(ModelResolver.resolve(model), LoadOptions.DEFAULT)) {
            EnginePolicy policy = new EnginePolicy(m);
            int total = problems.size();
            int[] done = {0};
            java.util.function.Consumer<Evaluator.Row> progress = json ? null : row -> err.printf(Locale.ROOT,
                    "%4d/%d %s %s (gold %s), %d tokens, %.1f s%n", ++done[0] % total == 0 ? total : done[0] % total, total,
                    row.correct() ? "right" : "wrong", row.answer(), row.problem().gold(), row.reasoningTokens(), row.seconds());
            List<Budget> budgets = sweep
                    ? Evaluator.sweepTokens(base.maxReasoningTokens()).stream().map(base::withMaxReasoningTokens).toList()
                    : List.of(base);
            Map<String, List<Evaluator.Report>> series = new LinkedHashMap<>();
            List<Map<String, Object>> objs = new ArrayList<>();
            BufferedWriter traces = trace == null ? null : Files.newBufferedWriter(trace);
            try {
                for (String s : strategies) {
                    String name = s != null ? s.strip() : e.name().toLowerCase(Locale.ROOT) + " effort";
                    List<Evaluator.Report> reports = new ArrayList<>();
                    for (Budget b : budgets) {
                        Reasoner.Builder rb = Reasoner.builder().policy(policy).effort(e).budget(b).seed(seed);
                        if (s != null) rb.strategy(Strategies.byName(s.strip()));
                        if (calc != null) rb.calculator(calc ? new Calculator() : null, calc);
                        if (scorer != null) rb.scorer(scorers(scorer));
                        if (verifier != null) rb.verifier(verifier(verifier));
                        Evaluator.Report r = Evaluator.run("max " + b.maxReasoningTokens() + " tokens", problems, rb.build(), traces, progress);
                        reports.add(r);
                        Map<String, Object> o = toJson(r, b);
                        if (strategies.size() > 1) o.put("strategy", name);
                        objs.add(o);
                        if (!json) {
                            out.printf(Locale.ROOT, "%s, max %d reasoning tokens: accuracy %.3f (%d/%d), mean reasoning tokens %.1f, %.2f s per problem%n",
                                    name, b.maxReasoningTokens(), r.accuracy(), Math.round(r.accuracy() * r.n()), r.n(),
                                    r.meanReasoningTokens(), r.secondsPerProblem());
                            out.flush();
                        }
                    }
                    series.put(name, reports);
                }
            } finally {
                if (traces != null) traces.close();
            }
            if (json) out.println(new ObjectMapper().writeValueAsString(sweep ? objs : objs.get(0)));
            if (plot != null) {
                String what = strategies.size() > 1 ? "strategies" : series.keySet().iterator().next();
                SweepPlot.write("accuracy vs reasoning tokens: " + what + " on " + dataset, series, plot);
                if (!json) out.println("plot written to " + plot);
            }
        }
        out.flush();
        return 0;
    }

    private Budget budget(Budget defaults) {
        Budget b = defaults;
        if (maxReasoningTokens != null) b = b.withMaxReasoningTokens(positive("--max-reasoning-tokens", maxReasoningTokens));
        if (maxNodes != null) b = b.withMaxNodes(positive("--max-nodes", maxNodes));
        if (maxSamples != null) b = b.withMaxSamples(positive("--max-samples", maxSamples));
        if (maxSeconds != null) {
            if (!(maxSeconds > 0)) throw new IllegalArgumentException("--max-seconds must be > 0, got " + maxSeconds);
            b = b.withMaxWallTime(Duration.ofMillis((long) (maxSeconds * 1000)));
        }
        return b;
    }

    private static int positive(String option, int v) {
        if (v < 1) throw new IllegalArgumentException(option + " must be >= 1, got " + v);
        return v;
    }

    private static Map<String, Object> toJson(Evaluator.Report r, Budget b) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("accuracy", r.accuracy());
        o.put("n", r.n());
        o.put("mean_reasoning_tokens", r.meanReasoningTokens());
        o.put("seconds_per_problem", r.secondsPerProblem());
        o.put("max_reasoning_tokens", b.maxReasoningTokens());
        return o;
    }

    static StepScorer scorers(String spec) {
        if (spec.strip().equals("none")) return null;
        var c = new CompositeScorer();
        for (String name : spec.split(",")) {
            c.add(switch (name.strip()) {
                case "grounding" -> new NumberGrounding();
                case "words" -> new WordGrounding();
                case "self-evaluation" -> new SelfEvaluation();
                default -> throw new IllegalArgumentException("unknown scorer '" + name.strip() + "': use grounding, words, self-evaluation or none");
            }, 1);
        }
        return c;
    }

    static Verifier verifier(String name) {
        return switch (name.strip()) {
            case "agreement" -> new AnswerAgreement();
            case "coverage" -> new NumberCoverage();
            case "none" -> null;
            default -> throw new IllegalArgumentException("unknown verifier '" + name.strip() + "': use agreement, coverage or none");
        };
    }

    /** {@code builtin:holdout}: generated from the foundry's held-out template families (seed 1), never trained on. */
    static final String HOLDOUT = "builtin:holdout";

    static final int HOLDOUT_SIZE = 500;

    /**
     * {@code builtin:fresh}: new problems of the families the model trained on (seed 2; the flywheel draws with seed
     * 1 by default, training examples with their own derivation), so the same wording, other numbers and names.
     * What search buys where the model knows the problem's shape, beside {@code builtin:holdout}'s generalisation.
     */
    static final String FRESH = "builtin:fresh";

    static List<Problem> fresh(int n) {
        List<Problem> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            var r = dev.dca.foundry.curriculum.Curriculum.trainingProblem(2, i);
            out.add(new Problem("fresh-" + i + "-" + r.family(), r.question(), dev.dca.reasoning.eval.AnswerExtractor.gsm8kGold(r.answer())));
        }
        return out;
    }

    static List<Problem> holdout(int n) {
        List<Problem> out = new java.util.ArrayList<>(n);
        List<dev.dca.foundry.curriculum.Curriculum.HoldoutRecord> records = dev.dca.foundry.curriculum.Curriculum.holdout(1, n);
        for (int i = 0; i < records.size(); i++) {
            var r = records.get(i);
            out.add(new Problem("holdout-" + i + "-" + r.family(), r.question(), dev.dca.reasoning.eval.AnswerExtractor.gsm8kGold(r.answer())));
        }
        return out;
    }
}
