package dev.dca.runtime.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * Memory for the matrices the Java kernels hold: {@code HugePages} on Java 22+ (in the jar's Java 22 layer, so reached
 * by name), whose mappings take 2 MB pages on Linux; {@code allocateDirect} elsewhere. Zeroed, native order not set.
 */
final class WeightMemory {

    private static final MethodHandle HUGE_PAGES = find();

    private WeightMemory() {}

    static ByteBuffer allocate(long bytes) {
        if (HUGE_PAGES != null) {
            try {
                return (ByteBuffer) HUGE_PAGES.invokeExact(bytes);
            } catch (Throwable e) {
                throw new IllegalStateException("could not allocate " + bytes + " bytes for weights", e);
            }
        }
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes));
    }

    private static MethodHandle find() {
        try {
            return MethodHandles.lookup().findStatic(Class.forName("dev.dca.runtime.engine.HugePages"), "allocate",
                    MethodType.methodType(ByteBuffer.class, long.class));
        } catch (ReflectiveOperationException | LinkageError e) { // Java 21: no Java 22 layer
            return null;
        }
    }
}
