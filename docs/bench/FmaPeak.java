import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One core's F32 FMA throughput through the JDK Vector API: ten independent accumulators (more than FMA latency x
 * FMA units, so nothing waits on a result), no memory traffic. The ceiling for every matmul kernel in dca; see
 * docs/BENCHMARKS.md. Run: {@code java --add-modules jdk.incubator.vector docs/bench/FmaPeak.java}
 */
public class FmaPeak {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static float run(long n, float[] v) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
        FloatVector x = FloatVector.fromArray(F, v, 0), y = FloatVector.fromArray(F, v, F.length());
        for (long k = 0; k < n; k++) {
            a0 = x.fma(y, a0); a1 = x.fma(y, a1); a2 = x.fma(y, a2); a3 = x.fma(y, a3); a4 = x.fma(y, a4);
            a5 = x.fma(y, a5); a6 = x.fma(y, a6); a7 = x.fma(y, a7); a8 = x.fma(y, a8); a9 = x.fma(y, a9);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) {
        float[] v = new float[2 * F.length()];
        java.util.Arrays.fill(v, 1e-9f);
        long n = 50_000_000;
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            float sink = run(n, v);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("round %d: %.1f GFLOP/s (%d-lane vectors)%s%n", round, n * 10.0 * F.length() * 2 / seconds / 1e9, F.length(),
                    sink == 42 ? "!" : "");
        }
    }
}
