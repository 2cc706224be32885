package dev.dca.reasoning.eval;

import dev.dca.reasoning.Budget;
import dev.dca.reasoning.Reasoner;
import dev.dca.reasoning.ReasoningResult;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/** Runs a {@link Reasoner} over problems: accuracy, mean reasoning tokens, seconds per problem; budget sweeps. */
public final class Evaluator {

    /** One problem's outcome. */
    public record Row(Problem problem, String answer, boolean correct, int reasoningTokens, double seconds) {}

    /** Totals of one run. */
    public record Report(String label, int n, double accuracy, double meanReasoningTokens, double secondsPerProblem,
            List<Row> rows) {
        public Report {
            rows = List.copyOf(rows);
        }
    }

    private Evaluator() {}

    /**
     * Solves every problem.
     *
     * @param traces if not null, each problem's search trace is appended as JSONL (with correctness against gold)
     * @param progress called after each problem
     */
    public static Report run(String label, List<Problem> problems, Reasoner reasoner, Writer traces, Consumer<Row> progress) {
        Objects.requireNonNull(reasoner, "reasoner");
        if (problems.isEmpty()) throw new IllegalArgumentException("no problems to evaluate");
        List<Row> rows = new ArrayList<>();
        int right = 0;
        long tokens = 0;
        double seconds = 0;
        for (Problem p : problems) {
            long t0 = System.nanoTime();
            ReasoningResult r = reasoner.solve(p.question());
            double s = (System.nanoTime() - t0) / 1e9;
            boolean ok = r.answer() != null && p.isCorrect(r.answer());
            if (traces != null) r.trace().writeJsonl(traces, p.gold());
            Row row = new Row(p, r.answer(), ok, r.usage().reasoningTokens(), s);
            rows.add(row);
            if (ok) right++;
            tokens += r.usage().reasoningTokens();
            seconds += s;
            if (progress != null) progress.accept(row);
        }
        int n = problems.size();
        return new Report(label, n, (double) right / n, (double) tokens / n, seconds / n, rows);
    }

    /** One run per budget (the same strategy and seed, so only the budget changes). */
    public static List<Report> sweep(List<Problem> problems, List<Budget> budgets, Function<Budget, Reasoner> reasoners,
            Consumer<Row> progress) {
        List<Report> out = new ArrayList<>();
        for (Budget b : budgets) {
            out.add(run("max " + b.maxReasoningTokens() + " tokens", problems, reasoners.apply(b), null, progress));
        }
        return out;
    }

    /** Token budgets for a sweep: powers of two from 16 below {@code max}, then {@code max}. */
    public static List<Integer> sweepTokens(int max) {
        List<Integer> out = new ArrayList<>();
        for (int t = 16; t < max; t *= 2) out.add(t);
        out.add(max);
        return out;
    }
}
