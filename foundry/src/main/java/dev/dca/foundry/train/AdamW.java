package dev.dca.foundry.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay; Loshchilov and Hutter) with global gradient-norm clipping.
 *
 * <p>Written out instead of using DJL's {@code AdamW} because checkpoints must hold the moment estimates, and DJL's
 * optimizers keep them private: with them here, a resumed run continues exactly where it stopped.
 * Weight decay applies to matrices only, not to norm gains.
 */
public final class AdamW {

    private final double beta1, beta2, eps, weightDecay, clip;
    private final Map<String, NDArray> m = new LinkedHashMap<>(); // first moments, by parameter name
    private final Map<String, NDArray> v = new LinkedHashMap<>(); // second moments

    public AdamW(double beta1, double beta2, double weightDecay, double clip) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = 1e-8;
        this.weightDecay = weightDecay;
        this.clip = clip;
    }

    /** Moment estimates by name ({@code m.<param>}, {@code v.<param>}), for checkpoints. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> s = new LinkedHashMap<>();
        m.forEach((k, a) -> s.put("m." + k, a));
        v.forEach((k, a) -> s.put("v." + k, a));
        return s;
    }

    /** Restores moments saved by {@link #state()}. */
    public void restore(Map<String, NDArray> state) {
        state.forEach((k, a) -> {
            if (k.startsWith("m.")) m.put(k.substring(2), a);
            else if (k.startsWith("v.")) v.put(k.substring(2), a);
        });
    }

    /**
     * One update of every parameter from its gradient, then zeroes the gradients (PyTorch accumulates them).
     *
     * @param step 1-based update number (bias correction)
     * @param scratch per-step manager for temporaries
     * @return the gradient norm before clipping
     */
    public double update(Map<String, NDArray> params, int step, double lr, NDManager scratch) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        double sq = 0;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(scratch);
            grads.put(e.getKey(), g);
            NDArray s = g.square().sum();
            sq += s.getFloat();
        }
        double norm = Math.sqrt(sq);
        float scale = clip > 0 && norm > clip ? (float) (clip / norm) : 1f;
        double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            String name = e.getKey();
            NDArray p = e.getValue(), g = grads.get(name).mul(scale);
            NDArray mt = m.computeIfAbsent(name, k -> p.zerosLike());
            NDArray vt = v.computeIfAbsent(name, k -> p.zerosLike());
            mt.muli(beta1).addi(g.mul(1 - beta1));
            vt.muli(beta2).addi(g.square().mul(1 - beta2));
            // p -= lr * (m/c1) / (sqrt(v/c2) + eps) + lr * wd * p
            NDArray denom = scratch.zeros(p.getShape()).addi(vt).muli(1 / c2).sqrt().addi(eps);
            NDArray delta = scratch.zeros(p.getShape()).addi(mt).muli(lr / c1).divi(denom);
            if (weightDecay > 0 && p.getShape().dimension() == 2) p.muli(1 - lr * weightDecay);
            p.subi(delta);
            grads.get(name).muli(0); // zero the gradient in place for the next step
        }
        return norm;
    }
}
