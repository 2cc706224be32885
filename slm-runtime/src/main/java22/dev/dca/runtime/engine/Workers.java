package dev.dca.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The decode step's threads: {@code dca.matmul.threads} (default: PyTorch's thread setting, else the cores), the
 * calling thread plus a daemon pool. A step's work is split into as many contiguous parts as there are threads.
 */
final class Workers {

    static final int THREADS = Math.max(1,
            Integer.getInteger("dca.matmul.threads", Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors())));
    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "dca-matmul");
        t.setDaemon(true);
        return t;
    });

    private Workers() {}

    /** Runs {@code part.accept(i)} for i in [0, parts), part 0 on the calling thread, and waits for all. */
    static void run(int parts, IntConsumer part) {
        if (parts <= 1 || POOL == null) {
            for (int i = 0; i < parts; i++) part.accept(i);
            return;
        }
        List<Future<?>> pending = new ArrayList<>(parts - 1);
        for (int c = 1; c < parts; c++) {
            int i = c;
            pending.add(POOL.submit(() -> part.accept(i)));
        }
        part.accept(0);
        try {
            for (Future<?> f : pending) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a decode step", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("decode worker failed", e.getCause());
        }
    }

    /** Splits [0, n) into at most THREADS contiguous ranges and runs {@code range.accept(from, to)} on each. */
    static void forRange(int n, RangeTask range) {
        int parts = Math.min(THREADS, n);
        int per = (n + parts - 1) / Math.max(1, parts);
        run(parts, c -> range.accept(Math.min(n, c * per), Math.min(n, (c + 1) * per)));
    }

    @FunctionalInterface
    interface RangeTask {
        void accept(int from, int to);
    }
}
