package dev.dca.runtime.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Keys and values of recently seen token sequences (prompts and finished samples), so a request that starts with a
 * known prefix only prefills the tokens beyond it. The reasoning core's beam search and MCTS call generate again and
 * again with growing prefixes; this is what makes that cheap.
 *
 * <p>LRU, bounded by the total number of cached tokens. A lookup may use any entry partially: the keys of the first
 * m tokens only depend on those m tokens.
 */
final class PrefixCache implements AutoCloseable {

    record Entry(int[] tokens, NDArray[][] kv, NDManager manager) {}

    record Match(Entry entry, int length) {}

    private final int maxTokens;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private int cachedTokens;
    long hits;
    long reusedTokens;

    PrefixCache(int maxTokens) {
        this.maxTokens = maxTokens;
    }

    boolean enabled() {
        return maxTokens > 0;
    }

    /** The entry sharing the longest prefix with {@code tokens}, capped at {@code limit} tokens; null when none. */
    Match lookup(int[] tokens, int limit) {
        Entry best = null;
        int bestLen = 0;
        for (Entry e : entries.values()) {
            int n = Math.min(Math.min(e.tokens().length, tokens.length), limit);
            int i = 0;
            while (i < n && e.tokens()[i] == tokens[i]) i++;
            if (i > bestLen) {
                bestLen = i;
                best = e;
            }
        }
        if (best == null) return null;
        entries.get(key(best.tokens())); // touch for LRU order
        hits++;
        reusedTokens += bestLen;
        return new Match(best, bestLen);
    }

    /** Stores the first {@code length} positions of a cache slot under {@code tokens[0, length)}. */
    void store(int[] tokens, int length, KvCache cache, int slot, NDManager parent) {
        if (!enabled() || length < 2 || length > maxTokens) return;
        int[] key = java.util.Arrays.copyOf(tokens, length);
        String k = key(key);
        if (entries.containsKey(k)) {
            entries.get(k);
            return;
        }
        // an entry that is a prefix of the new one is redundant
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.tokens().length <= length && java.util.Arrays.equals(e.tokens(), 0, e.tokens().length, key, 0, e.tokens().length)) {
                it.remove();
                cachedTokens -= e.tokens().length;
                e.manager().close();
            }
        }
        while (cachedTokens + length > maxTokens && !entries.isEmpty()) {
            Iterator<Entry> it = entries.values().iterator();
            Entry oldest = it.next();
            it.remove();
            cachedTokens -= oldest.tokens().length;
            oldest.manager().close();
        }
        NDManager m = parent.newSubManager();
        entries.put(k, new Entry(key, cache.export(slot, length, m), m));
        cachedTokens += length;
    }

    int size() {
        return entries.size();
    }

    void clear() {
        List<Entry> all = new ArrayList<>(entries.values());
        entries.clear();
        cachedTokens = 0;
        for (Entry e : all) e.manager().close();
    }

    @Override
    public void close() {
        clear();
    }

    private static String key(int[] tokens) {
        return java.util.Arrays.toString(tokens);
    }
}
