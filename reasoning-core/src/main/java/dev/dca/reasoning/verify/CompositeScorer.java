package dev.dca.reasoning.verify;

import java.util.ArrayList;
import java.util.List;

/** Weighted mean of several scorers, skipping those with no opinion (NaN); NaN when none has one. */
public final class CompositeScorer implements StepScorer {

    private final List<StepScorer> scorers = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();

    public CompositeScorer add(StepScorer scorer, double weight) {
        if (!(weight > 0)) throw new IllegalArgumentException("weight must be > 0, got " + weight);
        scorers.add(scorer);
        weights.add(weight);
        return this;
    }

    public static CompositeScorer of(StepScorer... scorers) {
        CompositeScorer c = new CompositeScorer();
        for (StepScorer s : scorers) c.add(s, 1);
        return c;
    }

    @Override
    public double score(StepContext step) {
        double sum = 0;
        double w = 0;
        for (int i = 0; i < scorers.size(); i++) {
            double s = scorers.get(i).score(step);
            if (Double.isNaN(s)) continue;
            sum += weights.get(i) * s;
            w += weights.get(i);
        }
        return w == 0 ? Double.NaN : sum / w;
    }

    @Override
    public String name() {
        return "composite" + scorers.stream().map(StepScorer::name).toList();
    }
}
