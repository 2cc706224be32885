package dev.dca.foundry.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar with the loss and throughput of the latest step. */
public final class ProgressBarListener implements TrainListener {

    private ProgressBar bar;

    @Override
    public void onStart(int startStep, int steps, long parameters) {
        bar = new ProgressBarBuilder().setTaskName("train " + String.format("%.1fM", parameters / 1e6)).setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).build();
        bar.stepTo(startStep);
    }

    @Override
    public void onStep(StepStats s) {
        bar.stepTo(s.step());
        bar.setExtraMessage(String.format("loss %.3f  lr %.2g  %,.0f tok/s", s.loss(), s.lr(), s.tokensPerSecond()));
    }

    @Override
    public void onEnd() {
        if (bar != null) bar.close();
    }
}
