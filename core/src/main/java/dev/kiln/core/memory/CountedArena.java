package dev.kiln.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shared arena that keeps {@link Memory#liveBytes()} exact: every allocation adds its size, and
 * closing the arena subtracts everything it handed out. Compiled models allocate only through these,
 * so a leak shows up as a counter that does not return to where it started.
 *
 * <pre>{@code
 * try (Arena arena = Memory.newArena()) {
 *     MemorySegment s = Memory.allocateFloats(arena, 100);   // liveBytes() grows by 400
 * }                                                          // and shrinks by 400 here
 * }</pre>
 */
final class CountedArena implements Arena {
    static final AtomicLong LIVE_BYTES = new AtomicLong();

    private final Arena delegate = Arena.ofShared();
    /** Guarded by {@code this}: allocations may come from any thread of a shared arena. */
    private long allocated;
    private boolean closed;

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = delegate.allocate(byteSize, byteAlignment);
        synchronized (this) {
            allocated += byteSize;
        }
        LIVE_BYTES.addAndGet(byteSize);
        return segment;
    }

    @Override
    public MemorySegment.Scope scope() {
        return delegate.scope();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return; // closing twice frees nothing twice
        }
        delegate.close(); // throws, and changes nothing, if a thread is still using the memory
        closed = true;
        LIVE_BYTES.addAndGet(-allocated);
    }
}
