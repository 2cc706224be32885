package dev.dca.reasoning.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.reasoning.Budget;
import dev.dca.reasoning.policy.Continuation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetMeterTest {

    private static List<Continuation> conts(int n, int tokens) {
        return java.util.Collections.nCopies(n, new Continuation("x", tokens, null, null, false));
    }

    @Test
    void should_cut_n_and_max_tokens_so_the_worst_case_fits() {
        BudgetMeter m = new BudgetMeter(Budget.builder().maxReasoningTokens(100).build());
        BudgetMeter.Grant g = m.grant(8, 64, 20, true);
        assertThat(g.n()).isEqualTo(5); // five samples of ~20 tokens fit in 100
        assertThat(g.maxTokens()).isEqualTo(20); // 100 / 5
        assertThat((long) g.n() * g.maxTokens()).isLessThanOrEqualTo(100);
        m.charge(g, 10, conts(5, 20), 1_000_000, true);
        assertThat(m.grant(1, 1, 1, true)).isNull();
        assertThat(m.stopReason()).isEqualTo("reasoning tokens budget exhausted");
    }

    @Test
    void should_prefer_one_full_sample_to_many_truncated_ones() {
        BudgetMeter m = new BudgetMeter(Budget.builder().maxReasoningTokens(50).build());
        BudgetMeter.Grant g = m.grant(8, 64, 64, true);
        assertThat(g.n()).isEqualTo(1);
        assertThat(g.maxTokens()).isEqualTo(50);
    }

    @Test
    void should_cap_samples_and_nodes_and_keep_a_reserve() {
        BudgetMeter m = new BudgetMeter(new Budget(1000, 3, 5, Duration.ofMinutes(1)));
        assertThat(m.grant(8, 10, 10, true).n()).isEqualTo(3); // nodes
        assertThat(m.grant(8, 10, 10, false).n()).isEqualTo(5); // samples (no nodes created)
        BudgetMeter r = new BudgetMeter(Budget.builder().maxReasoningTokens(40).build());
        BudgetMeter.Grant g = r.grant(1, 64, 64, true, 32);
        assertThat(g.maxTokens()).isEqualTo(8);
        r.charge(g, 0, conts(1, 8), 1000, true);
        assertThat(r.grant(1, 64, 64, true, 32)).isNull();
        assertThat(r.grant(1, 32, 32, false, 0).maxTokens()).isEqualTo(32); // the reserve is still there
    }

    @Test
    void should_limit_tokens_to_what_the_measured_speed_fits_in_the_time_left() {
        BudgetMeter m = new BudgetMeter(Budget.builder().maxWallTime(Duration.ofSeconds(10)).build());
        BudgetMeter.Grant first = m.grant(1, 1000, 1000, true);
        assertThat(first.maxTokens()).isEqualTo(BudgetMeter.CALIBRATION_TOKENS);
        // 16 tokens took 1 s: about 9 s left at 16 tokens/s is at most ~130 tokens (with the 10% margin)
        m.charge(first, 0, conts(1, 16), 1_000_000_000L, true);
        BudgetMeter.Grant next = m.grant(1, 1000, 1000, true);
        assertThat(next.maxTokens()).isBetween(100, 144);
        BudgetMeter gone = new BudgetMeter(Budget.builder().maxWallTime(Duration.ZERO).build());
        assertThat(gone.grant(1, 10, 10, true)).isNull();
        assertThat(gone.stopReason()).isEqualTo("wall time budget exhausted");
    }
}
