package dev.dca.runtime.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each real template renders system + user + assistant + user with the generation prompt to the string the
 * template defines. The expected strings were written by reading each template, not by running it.
 */
class JinjaChatTemplateTest {

    static final List<Message> CONVERSATION = List.of(
            Message.system("You are helpful."),
            Message.user("Hi there"),
            Message.assistant("Hello! How can I help?"),
            Message.user("What is 2+2?"));

    static final String CHATML = "<|im_start|>system\nYou are helpful.<|im_end|>\n"
            + "<|im_start|>user\nHi there<|im_end|>\n"
            + "<|im_start|>assistant\nHello! How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n";

    static final String PHI3 = "<|system|>\nYou are helpful.<|end|>\n"
            + "<|user|>\nHi there<|end|>\n"
            + "<|assistant|>\nHello! How can I help?<|end|>\n"
            + "<|user|>\nWhat is 2+2?<|end|>\n"
            + "<|assistant|>\n";

    static final String LLAMA3_TURNS = "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n";

    /** 5 Dec 2024, for templates that print today's date. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-12-05T10:00:00Z"), ZoneOffset.UTC);

    private static ChatTemplate folder(String name) {
        return JinjaChatTemplate.fromFolder(SharedFixtures.require("tokenizers/" + name)).orElseThrow();
    }

    private static JinjaChatTemplate llamaCpp(String file, String bos, String eos) throws Exception {
        Path path = SharedFixtures.require("tokenizers/chat-templates-llama.cpp/" + file);
        return JinjaChatTemplate.of(Files.readString(path), Map.of("bos_token", bos, "eos_token", eos), CLOCK);
    }

    // ---- tokenizer_config.json templates

    @ParameterizedTest
    @ValueSource(strings = {"SmolLM2-135M-Instruct", "SmolLM2-360M-Instruct", "Qwen2.5-0.5B-Instruct", "Qwen3-0.6B"})
    void should_render_chatml_templates(String name) {
        assertThat(folder(name).render(CONVERSATION, true)).isEqualTo(CHATML);
    }

    @Test
    void should_insert_the_default_system_prompts_when_none_is_given() {
        List<Message> noSystem = CONVERSATION.subList(1, 4);
        assertThat(folder("SmolLM2-135M-Instruct").render(noSystem, false)).isEqualTo(
                "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                        + CHATML.substring(CHATML.indexOf("<|im_start|>user"), CHATML.lastIndexOf("<|im_start|>assistant\n")));
        assertThat(folder("Qwen2.5-0.5B-Instruct").render(noSystem, true)).isEqualTo(
                "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                        + CHATML.substring(CHATML.indexOf("<|im_start|>user")));
    }

    @Test
    void should_render_llama3_with_bos_and_trimmed_content() {
        assertThat(folder("Meta-Llama-3-8B-Instruct").render(CONVERSATION, true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>" + LLAMA3_TURNS);
    }

    @Test
    void should_render_phi3_and_end_with_eos_without_generation_prompt() {
        ChatTemplate phi3 = folder("Phi-3-mini-4k-instruct");
        assertThat(phi3.render(CONVERSATION, true)).isEqualTo(PHI3);
        assertThat(phi3.render(CONVERSATION.subList(0, 2), false))
                .isEqualTo("<|system|>\nYou are helpful.<|end|>\n<|user|>\nHi there<|end|>\n<|endoftext|>");
    }

    // ---- llama.cpp's collection of templates

    @Test
    void should_render_qwen_templates_from_llama_cpp() throws Exception {
        assertThat(llamaCpp("Qwen-Qwen2.5-7B-Instruct.jinja", "", "<|im_end|>").render(CONVERSATION, true)).isEqualTo(CHATML);
        assertThat(llamaCpp("Qwen-Qwen3-0.6B.jinja", "", "<|im_end|>").render(CONVERSATION, true)).isEqualTo(CHATML);
    }

    @Test
    void should_split_out_qwen3_reasoning_with_python_string_methods() throws Exception {
        JinjaChatTemplate qwen3 = llamaCpp("Qwen-Qwen3-0.6B.jinja", "", "<|im_end|>");
        List<Message> thought = List.of(Message.user("Hi"), Message.assistant("<think>\nreason\n</think>\n\nanswer"));
        assertThat(qwen3.render(thought, false)).isEqualTo(
                "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\nreason\n</think>\n\nanswer<|im_end|>\n");
        assertThat(qwen3.render(List.of(Message.user("Hi")), true, Map.of("enable_thinking", false)))
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    }

    @Test
    void should_render_llama_3_1_and_3_2_system_headers() throws Exception {
        String header = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\n";
        // 3.1 has a fixed date unless date_string is given
        assertThat(llamaCpp("meta-llama-Llama-3.1-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>").render(CONVERSATION, true))
                .isEqualTo(header + "Today Date: 26 Jul 2024\n\nYou are helpful.<|eot_id|>" + LLAMA3_TURNS);
        // 3.2 asks strftime_now("%d %b %Y")
        assertThat(llamaCpp("meta-llama-Llama-3.2-3B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>").render(CONVERSATION, true))
                .isEqualTo(header + "Today Date: 05 Dec 2024\n\nYou are helpful.<|eot_id|>" + LLAMA3_TURNS);
    }

    @Test
    void should_put_tools_into_the_first_user_turn_for_llama_3_2() throws Exception {
        Map<String, Object> parameters = new java.util.LinkedHashMap<>();
        parameters.put("x", 1);
        Map<String, Object> tool = new java.util.LinkedHashMap<>();
        tool.put("name", "f");
        tool.put("parameters", parameters);
        JinjaChatTemplate llama32 = llamaCpp("meta-llama-Llama-3.2-3B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>");
        assertThat(llama32.render(List.of(Message.system("You are helpful."), Message.user("Hi there")), true,
                        Map.of("tools", List.of(tool))))
                .isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                        + "Environment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 05 Dec 2024\n\n"
                        + "You are helpful.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\n"
                        + "Given the following functions, please respond with a JSON for a function call "
                        + "with its proper arguments that best answers the given prompt.\n\n"
                        + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}."
                        + "Do not use variables.\n\n"
                        + "{\n    \"name\": \"f\",\n    \"parameters\": {\n        \"x\": 1\n    }\n}\n\n"
                        + "Hi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void should_render_smollm3_metadata_header() throws Exception {
        assertThat(llamaCpp("HuggingFaceTB-SmolLM3-3B.jinja", "", "<|im_end|>").render(CONVERSATION, true)).isEqualTo(
                "<|im_start|>system\n## Metadata\n\nKnowledge Cutoff Date: June 2025\nReasoning Mode: /think\n\n"
                        + "## Custom Instructions\n\nYou are helpful.\n\n<|im_end|>\n"
                        + CHATML.substring(CHATML.indexOf("<|im_start|>user")));
    }

    @Test
    void should_render_phi_3_5_from_llama_cpp() throws Exception {
        assertThat(llamaCpp("microsoft-Phi-3.5-mini-instruct.jinja", "<s>", "<|endoftext|>").render(CONVERSATION, true))
                .isEqualTo(PHI3);
    }

    @Test
    void should_fold_the_system_prompt_into_the_last_user_turn_for_mistral_nemo() throws Exception {
        assertThat(llamaCpp("mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>").render(CONVERSATION, true))
                .isEqualTo("<s>[INST]Hi there[/INST]Hello! How can I help?</s>[INST]You are helpful.\n\nWhat is 2+2?[/INST]");
    }

    @Test
    void should_turn_raise_exception_into_an_illegal_argument() throws Exception {
        JinjaChatTemplate nemo = llamaCpp("mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>");
        assertThatThrownBy(() -> nemo.render(List.of(Message.user("a"), Message.user("b")), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conversation roles must alternate");
    }

    // ---- the engine extensions, on their own

    private static String render(String template) {
        return JinjaChatTemplate.of(template, (String) null, (String) null).render(List.of(Message.user("x")), false);
    }

    @Test
    void should_offer_python_string_methods() {
        assertThat(render("{{ 'a,b,,c'.split(',') | join('|') }}")).isEqualTo("a|b||c");
        assertThat(render("{{ '  a  b '.split() | join('|') }}")).isEqualTo("a|b");
        assertThat(render("{{ 'k=v=w'.split('=', 1)[-1] }}")).isEqualTo("v=w");
        assertThat(render("[{{ '  x \\n'.strip() }}][{{ 'xxhixx'.strip('x') }}][{{ '\\n\\nhi'.lstrip('\\n') }}][{{ 'hi  '.rstrip() }}]"))
                .isEqualTo("[x][hi][hi][hi]");
        assertThat(render("{{ 'Hello'.startswith('He') }} {{ 'Hello'.endswith(('x', 'lo')) }} {{ 'Hello'.startswith('lo') }}"))
                .isEqualTo("true true false");
        assertThat(render("{{ 'a/think b'.replace('/think', '') }}|{{ 'aaa'.replace('a', 'b', 2) }}")).isEqualTo("a b|bba");
        assertThat(render("{{ 'hello world'.title() }} {{ 'Hi'.upper() }} {{ 'Hi'.lower() }}")).isEqualTo("Hello World HI hi");
        assertThat(render("{{ '-'.join(['a', 'b']) }} {{ 'banana'.count('an') }} {{ 'banana'.find('na') }}")).isEqualTo("a-b 2 2");
    }

    @Test
    void should_slice_like_python_including_steps() {
        assertThat(render("{{ [1, 2, 3, 4][::-1] | join(',') }}")).isEqualTo("4,3,2,1");
        assertThat(render("{{ [1, 2, 3, 4][1:] | join(',') }}|{{ [1, 2, 3, 4][:-1] | join(',') }}|{{ [1, 2, 3, 4][::2] | join(',') }}"))
                .isEqualTo("2,3,4|1,2,3|1,3");
        assertThat(render("{{ 'abcdef'[1:3] }}{{ 'abcdef'[-2:] }}{{ 'abc'[::-1] }}")).isEqualTo("bcefcba");
        assertThat(render("{% for m in messages[::-1] %}{{ m.role }}{% endfor %}")).isEqualTo("user");
    }

    @Test
    void should_pass_keyword_arguments_whole_expressions() {
        assertThat(render("{% set ns = namespace(a=messages|length - 1, b='x') %}{{ ns.a }}{{ ns.b }}")).isEqualTo("0x");
    }

    @Test
    void should_iterate_dict_items_by_method_and_by_filter() {
        JinjaChatTemplate t = JinjaChatTemplate.of(
                "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{% for k, v in d | items %}{{ k }}={{ v }};{% endfor %}|{{ d.get('z', 'none') }}",
                Map.of(), CLOCK);
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("a", 1);
        d.put("b", "two");
        assertThat(t.render(List.of(Message.user("x")), false, Map.of("d", d))).isEqualTo("a=1;b=two;|a=1;b=two;|none");
    }

    @Test
    void should_negate_the_whole_test_like_jinja() {
        assertThat(render("{{ not tools is defined }}|{{ not messages[0]['role'] is string }}|{{ not messages is none }}"))
                .isEqualTo("true|false|true");
        assertThat(render("{{ 'not x is defined' }}")).isEqualTo("not x is defined");
    }

    @Test
    void should_emit_json_like_python_json_dumps() {
        assertThat(render("{{ {'name': 'f', 'args': [1, 'two', none, true]} | tojson }}"))
                .isEqualTo("{\"name\": \"f\", \"args\": [1, \"two\", null, true]}");
    }

    // ---- where templates come from

    @Test
    void should_pick_the_default_of_named_templates_and_prefer_chat_template_jinja(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"__type": "AddedToken", "content": "<s>"}, "eos_token": "</s>",
                 "chat_template": [{"name": "tool_use", "template": "TOOLS"},
                                   {"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}"}]}
                """);
        assertThat(JinjaChatTemplate.fromFolder(dir).orElseThrow().render(List.of(Message.user("hi")), false))
                .isEqualTo("<s>hi</s>");
        Files.writeString(dir.resolve("chat_template.jinja"), "[{{ messages[0].content }}]\n");
        assertThat(JinjaChatTemplate.fromFolder(dir).orElseThrow().render(List.of(Message.user("hi")), false))
                .isEqualTo("[hi]");
    }

    @Test
    void should_be_empty_when_the_folder_declares_no_template(@TempDir Path dir) throws Exception {
        assertThat(JinjaChatTemplate.fromFolder(dir)).isEmpty();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThat(JinjaChatTemplate.fromFolder(dir)).isEmpty();
    }

    @Test
    void should_report_a_broken_template_in_one_line() {
        assertThatThrownBy(() -> render("{{ messages[0].content + }}"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
