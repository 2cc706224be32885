package dev.dca.reasoning.search;

import dev.dca.reasoning.ReasoningPrompt;
import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.policy.Turn;
import dev.dca.reasoning.verify.Calculator;
import dev.dca.reasoning.verify.StepContext;
import dev.dca.reasoning.verify.StepScorer;
import dev.dca.reasoning.verify.Verifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One search in progress: the question, the policy behind the {@link BudgetMeter}, the scorers, the tree, and the
 * seed stream. Strategies sample only through {@link #sample}, so no strategy can exceed the budget; each call
 * takes the next seed of a stream derived from the solve's seed, so equal seeds give equal searches.
 */
public final class SearchContext {

    private final Policy policy;
    private final String question;
    private final String context;
    private final BudgetMeter meter;
    private final SearchSettings settings;
    private final StepScorer scorer;
    private final Verifier verifier;
    private final Calculator calculator;
    private final boolean correctArithmetic;
    private final SplittableRandom seeds;
    private final List<Node> nodes = new ArrayList<>();
    private final Node root;
    private long chainTokens;
    private int chains;
    private long stepTokens;
    private int steps;

    private SearchContext(Builder b) {
        this.policy = Objects.requireNonNull(b.policy, "policy");
        this.question = Objects.requireNonNull(b.question, "question");
        this.context = b.context;
        this.meter = new BudgetMeter(b.budget);
        this.settings = b.settings;
        this.scorer = b.scorer;
        this.verifier = b.verifier;
        this.calculator = b.calculator;
        this.correctArithmetic = b.correctArithmetic;
        this.seeds = new SplittableRandom(b.seed);
        this.root = new Node(0, null, Node.Kind.ROOT, question, "", 0);
        nodes.add(root);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Policy policy() { return policy; }
    public String question() { return question; }
    public String context() { return context; }
    public BudgetMeter meter() { return meter; }
    public SearchSettings settings() { return settings; }
    public StepScorer scorer() { return scorer; }
    public Verifier verifier() { return verifier; }
    public Node root() { return root; }
    /** Whether steps are checked by the calculator and wrong results replaced before the chain goes on. */
    public boolean correctsArithmetic() { return calculator != null && correctArithmetic; }
    /** Every node, in creation order (the root first). */
    public List<Node> nodes() { return Collections.unmodifiableList(nodes); }

    /** The conversation for scratchpad reasoning on this question. */
    public List<Turn> conversation() {
        return ReasoningPrompt.conversation(question, context);
    }

    public long nextSeed() {
        return seeds.nextLong();
    }

    /** A fresh random stream for a strategy's own choices (derived from the seed, so reproducible). */
    public SplittableRandom random() {
        return seeds.split();
    }

    public boolean exhausted() {
        return meter.stopReason() != null;
    }

    /**
     * Samples within the budget: {@code n} and {@code maxTokens} are cut to what is left.
     *
     * @param typicalTokens expected tokens per sample, so that several short samples still fit a small budget
     * @param createsNodes whether each continuation becomes a tree node (counted against max nodes)
     * @param reasoning whether the tokens are hidden reasoning (false only for {@code direct})
     * @return the continuations, empty when the budget is spent (or the model failed after a first success)
     */
    public List<Continuation> sample(List<Turn> conversation, String prefix, int n, int maxTokens, int typicalTokens,
            List<String> stops, double temperature, boolean createsNodes, boolean reasoning) {
        return sample(conversation, prefix, n, maxTokens, typicalTokens, stops, temperature, createsNodes, reasoning, 0);
    }

    /** As above, leaving {@code reserveTokens} of the budget for a later call (the final answer of a search). */
    public List<Continuation> sample(List<Turn> conversation, String prefix, int n, int maxTokens, int typicalTokens,
            List<String> stops, double temperature, boolean createsNodes, boolean reasoning, int reserveTokens) {
        BudgetMeter.Grant g = meter.grant(n, maxTokens, typicalTokens, createsNodes, reserveTokens);
        if (g == null) return List.of();
        PolicyRequest request = new PolicyRequest(conversation, prefix, g.n(), g.maxTokens(), temperature,
                settings.topP(), stops, nextSeed(), policy.hasLogprobs());
        long t0 = System.nanoTime();
        List<Continuation> out;
        int prompt;
        try {
            prompt = policy.promptTokens(request);
            out = policy.sample(request);
        } catch (RuntimeException e) {
            // anytime: a failure after some progress (e.g. the scratchpad outgrew the context) ends the search
            if (meter.calls() == 0) throw e;
            meter.stop("model error: " + e.getMessage());
            return List.of();
        }
        if (out.size() > g.n()) out = out.subList(0, g.n());
        out = out.stream().map(c -> applyStops(c, stops)).toList();
        meter.charge(g, prompt, out, System.nanoTime() - t0, reasoning);
        return out;
    }

    /** Client-side stop strings, for backends that ignore them. */
    private static Continuation applyStops(Continuation c, List<String> stops) {
        String text = c.text() == null ? "" : c.text();
        int cut = -1;
        String by = null;
        for (String s : stops) {
            int i = s.isEmpty() ? -1 : text.indexOf(s);
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
                by = s;
            }
        }
        if (cut < 0) return c.text() == null ? new Continuation("", c.tokens(), c.tokenLogprobs(), c.stoppedBy(), c.endOfSequence()) : c;
        return new Continuation(text.substring(0, cut), c.tokens(), c.tokenLogprobs(), by, false);
    }

    /** A new tree node, counted against the node cap. */
    public Node newNode(Node parent, Node.Kind kind, String text, String prefix, int tokens) {
        meter.chargeNode();
        Node n = new Node(nodes.size(), parent, kind, text, prefix, tokens);
        nodes.add(n);
        return n;
    }

    /**
     * Samples {@code n} whole chains (scratchpad and answer line) of {@code conversation} as children of
     * {@code parent}. A chain that stops without an answer line gets one forced (greedy, if the budget allows).
     */
    public List<Node> sampleChains(Node parent, List<Turn> conversation, int n, double temperature, Node.Kind kind) {
        int typical = chains == 0 ? Math.max(1, settings.chainMaxTokens() / 2) : (int) Math.max(1, (chainTokens / chains) * 5 / 4);
        List<Continuation> out = sample(conversation, "", n, settings.chainMaxTokens(), typical, List.of(), temperature,
                true, true);
        List<Node> result = new ArrayList<>(out.size());
        List<Node> unanswered = new ArrayList<>();
        for (Continuation c : out) {
            chainTokens += c.tokens();
            chains++;
            String text = ReasoningPrompt.cutAfterAnswer(c.text());
            Node node = newNode(parent, kind, text, text, c.tokens());
            String answer = ReasoningPrompt.extractAnswer(text);
            if (answer == null || answer.isEmpty()) unanswered.add(node);
            else node.answer(answer);
            node.terminal(true);
            result.add(node);
        }
        // chains that stopped without an answer line get theirs forced, all in one batched call
        List<String> forced = forceAnswers(conversation, unanswered.stream().map(Node::text).toList());
        for (int i = 0; i < unanswered.size(); i++) unanswered.get(i).answer(forced.get(i));
        return result;
    }

    /** Appends the answer marker to a scratchpad and lets the model write the answer (greedy, one line). */
    public String forceAnswer(List<Turn> conversation, String scratchpad) {
        return forceAnswers(conversation, List.of(scratchpad)).get(0);
    }

    /**
     * {@link #forceAnswer} for several scratchpads in one batched policy call (one budget grant for all of them).
     *
     * @return the answers, in order; null where none came (budget exhausted, or nothing usable written)
     */
    public List<String> forceAnswers(List<Turn> conversation, List<String> scratchpads) {
        List<String> answers = new ArrayList<>(java.util.Collections.nCopies(scratchpads.size(), (String) null));
        if (scratchpads.isEmpty()) return answers;
        int max = settings.answerMaxTokens();
        BudgetMeter.Grant g = meter.grant(scratchpads.size(), max, max, false, 0);
        if (g == null) return answers;
        List<String> stops = List.of(ReasoningPrompt.STEP_DELIMITER);
        List<PolicyRequest> requests = new ArrayList<>(g.n());
        for (int i = 0; i < g.n(); i++) {
            String pad = ReasoningPrompt.scratchpad(scratchpads.get(i));
            String prefix = (pad.isBlank() ? "" : pad + ReasoningPrompt.STEP_DELIMITER) + ReasoningPrompt.ANSWER_MARKER;
            requests.add(new PolicyRequest(conversation, prefix, 1, g.maxTokens(), settings.greedyTemperature(),
                    settings.topP(), stops, nextSeed(), policy.hasLogprobs()));
        }
        long t0 = System.nanoTime();
        Batch batch = sampleBatch(requests);
        if (batch == null) return answers;
        List<List<Continuation>> out = batch.out();
        int prompt = batch.prompt();
        List<Continuation> all = new ArrayList<>();
        for (int i = 0; i < out.size() && i < requests.size(); i++) {
            if (out.get(i).isEmpty()) continue;
            Continuation c = applyStops(out.get(i).get(0), stops);
            all.add(c);
            String a = ReasoningPrompt.extractAnswer(ReasoningPrompt.ANSWER_MARKER + " " + c.text().strip());
            answers.set(i, a == null || a.isEmpty() ? null : a);
        }
        meter.charge(g, prompt, all, System.nanoTime() - t0, true);
        return answers;
    }

    /**
     * Tokens step expansions leave for a final forced answer: the settings' answer length, but at most a quarter of
     * the budget, so that a small budget still buys steps.
     */
    int answerReserve() {
        return Math.min(settings.answerMaxTokens(), Math.max(1, meter.budget().maxReasoningTokens() / 4));
    }

    /** What the budget expects a step to cost: 1.5x the mean so far, or a quarter of the step cap before any. */
    private int typicalStepTokens() {
        return steps == 0 ? Math.max(1, settings.stepMaxTokens() / 4) : (int) Math.max(1, (stepTokens / steps) * 3 / 2);
    }

    private record Batch(List<List<Continuation>> out, int prompt) {}

    /** Several requests as one batched policy call; null when the model failed after earlier progress (search ends). */
    private Batch sampleBatch(List<PolicyRequest> requests) {
        try {
            int prompt = 0;
            for (PolicyRequest r : requests) prompt += policy.promptTokens(r);
            return new Batch(policy.sampleEach(requests), prompt);
        } catch (RuntimeException e) {
            if (meter.calls() == 0) throw e;
            meter.stop("model error: " + e.getMessage());
            return null;
        }
    }

    /**
     * Samples up to {@code k} candidate next steps of {@code parent} (one batched call; the prefix is shared). It
     * leaves room in the token budget for one forced answer, so an unfinished search can still answer.
     */
    public List<Node> expand(Node parent, int k, double temperature) {
        List<Continuation> out = sample(conversation(), parent.prefix(), k, settings.stepMaxTokens(), typicalStepTokens(),
                List.of(ReasoningPrompt.STEP_DELIMITER), temperature, true, true, answerReserve());
        List<Node> children = new ArrayList<>(out.size());
        for (Continuation c : out) {
            stepTokens += c.tokens();
            steps++;
            children.add(addStep(parent, c));
        }
        return children;
    }

    /**
     * One next step for each of several partial chains, in one batched policy call (one budget grant; the grant may
     * cover only the first parents). Leaves room for one forced answer, as {@link #expand} does.
     *
     * @return each parent's new step, in order, for the parents the budget covered
     */
    public List<Node> expandEach(List<Node> parents, double temperature) {
        return expandEach(parents, java.util.Collections.nCopies(parents.size(), temperature));
    }

    /** {@link #expandEach(List, double)} with a sampling temperature per parent. */
    public List<Node> expandEach(List<Node> parents, List<Double> temperatures) {
        if (parents.isEmpty()) return List.of();
        BudgetMeter.Grant g = meter.grant(parents.size(), settings.stepMaxTokens(), typicalStepTokens(), true, answerReserve());
        if (g == null) return List.of();
        List<String> stops = List.of(ReasoningPrompt.STEP_DELIMITER);
        List<PolicyRequest> requests = new ArrayList<>(g.n());
        for (int i = 0; i < g.n(); i++) {
            requests.add(new PolicyRequest(conversation(), parents.get(i).prefix(), 1, g.maxTokens(), temperatures.get(i),
                    settings.topP(), stops, nextSeed(), policy.hasLogprobs()));
        }
        long t0 = System.nanoTime();
        Batch batch = sampleBatch(requests);
        if (batch == null) return List.of();
        List<List<Continuation>> out = batch.out();
        int prompt = batch.prompt();
        List<Continuation> all = new ArrayList<>();
        List<Node> from = new ArrayList<>();
        for (int i = 0; i < out.size() && i < requests.size(); i++) {
            if (out.get(i).isEmpty()) continue;
            all.add(applyStops(out.get(i).get(0), stops));
            from.add(parents.get(i));
        }
        // charged before the steps are scored: a scorer that samples must see what is left after this call
        meter.charge(g, prompt, all, System.nanoTime() - t0, true);
        List<Node> children = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            stepTokens += all.get(i).tokens();
            steps++;
            children.add(addStep(from.get(i), all.get(i)));
        }
        return children;
    }

    /** Turns a sampled step into a scored child node (arithmetic checked, answer line recognised). */
    Node addStep(Node parent, Continuation c) {
        String text = c.text().strip();
        int nl = text.indexOf('\n');
        if (nl >= 0) text = text.substring(0, nl).strip();
        Calculator.Check check = null;
        if (calculator != null) {
            check = calculator.check(text);
            if (correctArithmetic) text = check.text();
        }
        Node node = newNode(parent, Node.Kind.STEP, text, parent.prefix() + text + ReasoningPrompt.STEP_DELIMITER, c.tokens());
        if (c.tokenLogprobs() != null && c.tokenLogprobs().length > 0) node.putScore("logprob", c.logprob() / c.tokenLogprobs().length);
        if (ReasoningPrompt.isAnswerLine(text)) {
            node.answer(ReasoningPrompt.extractAnswer(text));
            node.terminal(true);
        } else if (c.endOfSequence() || (text.isEmpty() && c.stoppedBy() == null)) {
            node.terminal(true); // ended without an answer: a dead end
        }
        double s = Double.NaN;
        if (check != null && check.checked() > 0) {
            node.putScore("calculator", check.score());
            if (!correctArithmetic) s = check.score();
        }
        if (scorer != null && !text.isEmpty()) {
            double v = scorer.score(new StepContext(question, context, parent.path(), text, node.answer(), this));
            if (!Double.isNaN(v)) {
                node.putScore(scorer.name(), v);
                s = Double.isNaN(s) ? v : (s + v) / 2;
            }
        }
        if (node.terminal() && node.answer() == null) s = 0;
        node.score(s);
        return node;
    }

    /** Scores a complete chain with the verifier (NaN without one) and records the score on the node. */
    public double verify(Node terminal, List<String> peerAnswers) {
        if (verifier == null || terminal.answer() == null) return Double.NaN;
        List<String> path = terminal.kind() == Node.Kind.STEP
                ? terminal.path().subList(0, terminal.path().size() - 1)
                : ReasoningPrompt.steps(ReasoningPrompt.scratchpad(terminal.text()));
        double v = verifier.verify(new StepContext(question, context, path, "", terminal.answer(), this), peerAnswers);
        if (!Double.isNaN(v)) {
            terminal.putScore(verifier.name(), v);
            if (terminal.kind() != Node.Kind.STEP) terminal.score(v);
        }
        return v;
    }

    /** Scores a whole chain with the step scorer, as one step (for chain-level strategies); NaN without one. */
    public double scoreChain(Node chain) {
        if (scorer == null) return Double.NaN;
        List<String> steps = ReasoningPrompt.steps(ReasoningPrompt.scratchpad(chain.text()));
        if (steps.isEmpty()) return Double.NaN;
        double v = scorer.score(new StepContext(question, context, steps.subList(0, steps.size() - 1),
                steps.get(steps.size() - 1), chain.answer(), this));
        if (!Double.isNaN(v)) chain.putScore(scorer.name(), v);
        return v;
    }

    void backup(Node leaf, double value) {
        for (Node n = leaf; n != null; n = n.parent()) n.visit(Math.max(0, Math.min(1, value)));
    }

    public static final class Builder {
        private Policy policy;
        private String question;
        private String context;
        private dev.dca.reasoning.Budget budget = dev.dca.reasoning.Budget.UNLIMITED;
        private SearchSettings settings = SearchSettings.DEFAULT;
        private StepScorer scorer;
        private Verifier verifier;
        private Calculator calculator;
        private boolean correctArithmetic;
        private long seed;

        public Builder policy(Policy v) { policy = v; return this; }
        public Builder question(String v) { question = v; return this; }
        public Builder context(String v) { context = v; return this; }
        public Builder budget(dev.dca.reasoning.Budget v) { budget = Objects.requireNonNull(v); return this; }
        public Builder settings(SearchSettings v) { settings = Objects.requireNonNull(v); return this; }
        public Builder scorer(StepScorer v) { scorer = v; return this; }
        public Builder verifier(Verifier v) { verifier = v; return this; }
        /** Checks arithmetic in every step; {@code correct} rewrites wrong results, otherwise they are penalised. */
        public Builder calculator(Calculator v, boolean correct) { calculator = v; correctArithmetic = correct; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public SearchContext build() {
            return new SearchContext(this);
        }
    }
}
