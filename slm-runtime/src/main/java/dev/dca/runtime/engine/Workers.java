package dev.dca.runtime.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The decode step's threads (its matrix products and attention, and the sampling of a batch's rows):
 * {@code dca.matmul.threads} (default: PyTorch's thread setting, else the cores), the calling thread plus daemon
 * workers. A job's parts are claimed one at a time by whichever thread is free.
 *
 * <p>Why by hand: a decode step of a 135M model is ~200 matrix products of 20-100 microseconds each. Through an
 * {@code ExecutorService} every one paid a worker's wake-up from park (tens of microseconds in a VM), so the second
 * core joined each product late. Here workers spin for a short while after each job ({@link #SPIN_NANOS}), as
 * llama.cpp's thread pool does, so the next product of the same step starts on them at once; idle longer than that,
 * they park and cost nothing. Parts are claimed, not assigned, so a late or disturbed thread only takes fewer.
 */
final class Workers {

    static final int THREADS = Math.max(1,
            Integer.getInteger("dca.matmul.threads", Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors())));

    /**
     * How long an idle worker keeps polling for the next job before it parks: longer than the gaps within a step. No
     * polling when there are more threads than cores: a spinning worker would then take the core of the thread that
     * has the work.
     */
    static final long SPIN_NANOS = THREADS > Runtime.getRuntime().availableProcessors() ? 0
            : TimeUnit.MICROSECONDS.toNanos(Long.getLong("dca.matmul.spin.micros", 2000));

    private static final Pool POOL = THREADS == 1 ? null : new Pool(THREADS - 1);

    private Workers() {}

    /**
     * Runs {@code part.accept(i)} for every i in [0, parts) and returns when all have ended; the calling thread
     * takes parts too. While another caller's job holds the workers (or from inside a part), the parts run on the
     * calling thread alone. A part's exception is rethrown here after every part has ended.
     */
    static void run(int parts, IntConsumer part) {
        if (parts <= 1 || POOL == null || !POOL.busy.compareAndSet(false, true)) {
            for (int i = 0; i < parts; i++) part.accept(i);
            return;
        }
        try {
            POOL.run(new Job(part, parts));
        } finally {
            POOL.busy.set(false);
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

    /** One call of {@link #run}: parts are claimed through {@code next}, and {@code done} counts the ended ones. */
    private static final class Job {
        final IntConsumer part;
        final int parts;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(IntConsumer part, int parts) {
            this.part = part;
            this.parts = parts;
        }

        /** Claims and runs parts until none is left. */
        void work() {
            for (int i; (i = next.getAndIncrement()) < parts; ) {
                try {
                    part.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static final class Pool {
        final AtomicBoolean busy = new AtomicBoolean();
        /** The latest job; a worker that sees a new one joins it. */
        volatile Job current;
        final Thread[] threads;
        final AtomicBoolean[] parked;

        Pool(int workers) {
            threads = new Thread[workers];
            parked = new AtomicBoolean[workers];
            for (int w = 0; w < workers; w++) {
                int id = w;
                parked[w] = new AtomicBoolean();
                threads[w] = new Thread(() -> loop(id), "dca-matmul-" + (w + 1));
                threads[w].setDaemon(true);
                threads[w].start();
            }
        }

        void run(Job job) {
            current = job;
            for (int w = 0; w < threads.length; w++) {
                if (parked[w].get()) LockSupport.unpark(threads[w]);
            }
            job.work();
            long since = System.nanoTime();
            while (job.done.get() < job.parts) {
                // the last parts are on workers: poll, and after a while give the core back between polls
                if (System.nanoTime() - since < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.parkNanos(20_000);
            }
            Throwable t = job.failure.get();
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException("decode worker failed", t);
        }

        /**
         * A worker: joins each new job, then polls for the next one for {@link #SPIN_NANOS} before parking. The
         * parked flag is set before the last look at {@code current}, and the publisher sets {@code current} before
         * reading the flag, so a job published while a worker goes to sleep always either is seen or unparks it.
         */
        private void loop(int id) {
            Job seen = null;
            long idleSince = System.nanoTime();
            int polls = 0;
            while (true) {
                Job job = current;
                if (job != seen) {
                    seen = job;
                    job.work();
                    idleSince = System.nanoTime();
                    continue;
                }
                if ((++polls & 63) != 0 || System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked[id].set(true);
                if (current == seen) LockSupport.park(this);
                parked[id].set(false);
                idleSince = System.nanoTime();
            }
        }
    }
}
