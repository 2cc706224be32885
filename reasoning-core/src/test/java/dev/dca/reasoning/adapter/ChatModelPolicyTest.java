package dev.dca.reasoning.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.reasoning.Budget;
import dev.dca.reasoning.Reasoner;
import dev.dca.reasoning.ReasoningResult;
import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.policy.Turn;
import dev.dca.reasoning.search.SelfConsistency;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatModelPolicyTest {

    /** A server that ignores stop strings and max tokens, and reports its usage. */
    static final class IgnoringServer implements ChatModel {
        final List<ChatRequest> requests = new ArrayList<>();
        final String reply;

        IgnoringServer(String reply) {
            this.reply = reply;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            requests.add(request);
            return ChatResponse.builder().aiMessage(AiMessage.from(reply))
                    .tokenUsage(new TokenUsage(10, reply.split(" ").length)).finishReason(FinishReason.STOP).build();
        }
    }

    @Test
    void should_make_n_calls_and_apply_stop_strings_client_side() {
        IgnoringServer server = new IgnoringServer("step one\nstep two\nAnswer: 4");
        ChatModelPolicy policy = new ChatModelPolicy(server);
        PolicyRequest r = new PolicyRequest(List.of(Turn.system("s"), Turn.user("q")), "so far\n", 3, 50, 0.7, 0.9,
                List.of("\n"), 1, false);
        List<Continuation> out = policy.sample(r);
        assertThat(out).hasSize(3);
        assertThat(server.requests).hasSize(3);
        assertThat(out.get(0).text()).isEqualTo("step one");
        assertThat(out.get(0).stoppedBy()).isEqualTo("\n");
        List<ChatMessage> sent = server.requests.get(0).messages();
        assertThat(sent.get(sent.size() - 1)).isInstanceOf(AiMessage.class);
        assertThat(((AiMessage) sent.get(sent.size() - 1)).text()).isEqualTo("so far\n");
        assertThat(server.requests.get(0).parameters().maxOutputTokens()).isEqualTo(50);
        assertThat(policy.hasLogprobs()).isFalse();
    }

    @Test
    void should_hold_the_budget_when_the_server_overshoots_max_tokens() {
        IgnoringServer server = new IgnoringServer("a b c d e f g h i j k l m n o p q r s t u v w x y z\nAnswer: 1");
        ReasoningResult res = Reasoner.builder().policy(new ChatModelPolicy(server)).strategy(new SelfConsistency(4))
                .budget(Budget.builder().maxReasoningTokens(30).build()).build().solve("what?");
        assertThat(res.usage().completionTokens()).isLessThanOrEqualTo(30);
    }
}
