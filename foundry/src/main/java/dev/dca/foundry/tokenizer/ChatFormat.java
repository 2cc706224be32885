package dev.dca.foundry.tokenizer;

import dev.dca.runtime.chat.Message;
import java.util.List;

/**
 * The bundled model's chat format (ChatML, as SmolLM2 and Qwen use it), with one BOS at the start:
 *
 * <pre>
 * &lt;|endoftext|&gt;&lt;|im_start|&gt;system\n...&lt;|im_end|&gt;\n&lt;|im_start|&gt;user\n...&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n...&lt;|im_end|&gt;\n
 * </pre>
 *
 * {@link #render} and {@link #JINJA_TEMPLATE} produce the same text; a test holds them together.
 */
public final class ChatFormat {

    public static final String BOS = "<|endoftext|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    /** Special tokens in id order: they take ids 0, 1, 2. */
    public static final List<String> SPECIAL_TOKENS = List.of(BOS, IM_START, IM_END);
    public static final int BOS_ID = 0;
    public static final int IM_START_ID = 1;
    public static final int EOS_ID = 2;

    /** The {@code chat_template} written to {@code tokenizer_config.json}. */
    public static final String JINJA_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private ChatFormat() {}

    /** Text of a turn's header ({@code <|im_start|>role\n}). */
    public static String header(String role) {
        return IM_START + role + "\n";
    }

    /** Text of a turn's body as trained on: content and end-of-turn ({@code content<|im_end|>}). */
    public static String body(String content) {
        return content + IM_END;
    }

    public static String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder(BOS);
        for (Message m : messages) sb.append(header(m.role())).append(body(m.content())).append('\n');
        if (addGenerationPrompt) sb.append(header("assistant"));
        return sb.toString();
    }
}
