package dev.dca.runtime.tokenizer;

import java.util.OptionalInt;

/** Text to token ids and back, as the model's own tokenizer does it. */
public interface Tokenizer {

    /**
     * Encodes text. With {@code addSpecialTokens}, BOS (and EOS) are added the way the model's tokenizer config
     * says (llama2.c models always add BOS); without, only the text's own tokens are returned.
     */
    int[] encode(String text, boolean addSpecialTokens);

    /** Decodes ids to text; special tokens (BOS/EOS/...) are skipped when {@code skipSpecialTokens}. */
    String decode(int[] ids, boolean skipSpecialTokens);

    default String decode(int[] ids) {
        return decode(ids, true);
    }

    int vocabSize();

    OptionalInt bosTokenId();

    /** Ids that end generation (eos, and e.g. {@code <|im_end|>}, {@code <|eot_id|>} when the model declares them). */
    int[] eosTokenIds();

    /** The string form of a token, e.g. {@code "<s>"} or {@code "▁the"}; for display and chat templates. */
    String tokenText(int id);
}
