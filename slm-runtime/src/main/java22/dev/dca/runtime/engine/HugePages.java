package dev.dca.runtime.engine;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Memory for the weights the Java kernels hold, on transparent huge pages where Linux offers them: anonymous mappings
 * marked {@code MADV_HUGEPAGE} before anything touches them, so that the kernel backs them with 2 MB pages even where
 * THP is in its {@code madvise} mode (the common default). A decode step streams every weight once, and with 4 KB pages
 * that is a TLB miss every 4 KB. Measured on session 15's Zen 5 (a VM): summing a 1 GiB array in C on two threads
 * read 34-65 GB/s this way against 17-40 with 4 KB pages (alternating runs); the 120 layer products of a SmolLM2-135M
 * step (BF16 panels) took 6.07-7.05 ms (medians of 55 rounds) against 6.61-7.77 at batch 1, 7-9% less in each of four
 * runs alternating the two in one JVM, and 1-7% less at batch 8; whole {@code dca bench} runs moved by more than that
 * from minute to minute. The price there was at load: the first touch of a huge page the host had taken back faults
 * on the host as well (touching 512 MB took 0.03-1.47 s against 0.21 s with 4 KB pages), so models loaded 0.4-1.3 s
 * slower (F32, 540 MB). Written by hand because no library maps memory this way; {@code allocateDirect} and
 * {@code Arena.allocate} take malloc's pages and touch them (zeroing) before any advice could apply.
 *
 * <p>Matrices are cut from 64 MB mappings (one of their own above 16 MB), each piece on a cache line; a mapping is
 * unmapped once no buffer cut from it is reachable. Only touched pages take memory, so a mapping's unused tail costs at
 * most one huge page. Anywhere else (not Linux on x86-64 or AArch64, no native access, a refused mapping) or with
 * {@code -Ddca.weights.hugepages=false}, pieces come from {@code allocateDirect}.
 */
final class HugePages {

    private static final long HUGE = 2L << 20, CHUNK = 64L << 20, LINE = 64;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP, MADVISE, MUNMAP;

    static {
        MethodHandle mmap = null, madvise = null, munmap = null;
        // the flag values below are those of Linux on x86-64 and AArch64
        String arch = System.getProperty("os.arch", "");
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
        if (linux && !"false".equals(System.getProperty("dca.weights.hugepages"))) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            } catch (RuntimeException | LinkageError e) { // no native access, or no such symbols: allocateDirect
                mmap = madvise = munmap = null;
            }
        }
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    /** Unmaps a mapping once its buffer, and every slice of it (each holds its parent), is unreachable. */
    private static final Cleaner CLEANER = Cleaner.create();
    /** The mapping pieces are being cut from, and the next free offset in it. */
    private static ByteBuffer chunk;
    private static int used;

    private HugePages() {}

    /** Whether pieces come from huge-page mappings in this JVM (what HugePagesTest checks against). */
    static boolean available() {
        return MMAP != null;
    }

    /** {@code bytes} of zeroed memory starting on a cache line, as a buffer (byte order to be set by the caller). */
    static synchronized ByteBuffer allocate(long bytes) {
        int n = Math.toIntExact(bytes);
        if (MMAP != null) {
            try {
                if (n > CHUNK / 4) return map(n).slice(0, n);
                int at = (int) ((used + LINE - 1) & -LINE);
                if (chunk == null || at + n > chunk.capacity()) {
                    chunk = map(CHUNK);
                    at = 0;
                }
                used = at + n;
                return chunk.slice(at, n);
            } catch (Throwable mapFailed) { // a refused mapping (address space, limits): the ordinary way
                chunk = null;
            }
        }
        int line = (int) LINE;
        ByteBuffer raw = ByteBuffer.allocateDirect(n + line - 1);
        return raw.slice((line - raw.alignmentOffset(0, line)) % line, n);
    }

    /**
     * A new anonymous mapping of at least {@code bytes}, starting on a huge page and marked for huge pages, as a
     * buffer of the global scope freed by a cleaner, as {@code allocateDirect}'s are (a buffer of an automatic arena
     * would have its scope checked at every access).
     */
    private static ByteBuffer map(long bytes) throws Throwable {
        long size = (bytes + HUGE - 1) & -HUGE, mapped = size + HUGE;
        MemorySegment raw = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        if (raw.address() == -1L) throw new IllegalStateException("mmap of " + mapped + " bytes refused");
        long base = raw.address(), start = (base + HUGE - 1) & -HUGE;
        MemorySegment aligned = MemorySegment.ofAddress(start).reinterpret(size);
        int ignored = (int) MADVISE.invokeExact(aligned, size, MADV_HUGEPAGE); // advice only: 4 KB pages if refused
        ByteBuffer buffer = aligned.asByteBuffer();
        CLEANER.register(buffer, () -> unmap(base, mapped));
        return buffer;
    }

    private static void unmap(long base, long mapped) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(base), mapped);
        } catch (Throwable e) {
            // nothing to do: the address space stays taken until the process ends
        }
    }
}
