package dev.dca.reasoning;
import dev.dca.reasoning.search.*;
import org.junit.jupiter.api.Test;
class DebugTmpTest {
  @Test void dbg() {
    for (ReasoningStrategy s : new ReasoningStrategy[]{new BeamSearch(2,3,8), new Mcts(200,3,8,1.0)}) {
    ReasoningResult r = Reasoner.builder().policy(new ScriptedPolicy(0.8, 4)).strategy(s).scorer(new NoisyOracle(0.15)).verifier(null)
      .budget(Budget.builder().maxReasoningTokens(160).build()).seed(1000).build().solve(ScriptedPolicy.question(0, 10));
    System.out.println(r); System.out.println(r.summary());
    var w = new java.io.StringWriter(); r.trace().writeJsonl(w, "10"); System.out.println(w);
    }
  }
}
