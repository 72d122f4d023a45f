package dev.kiln.core.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run one {@link ParallelBody} at a time, the calling thread taking part.
 *
 * <p>Why not an {@code ExecutorService}: a training step dispatches a dozen small kernels, each a few
 * microseconds long; futures and queues would allocate on every dispatch and their wake-up latency
 * would dominate. Here a dispatch publishes the body and bumps a generation counter: workers spin
 * briefly on it (kernels follow each other closely) and park when the program goes quiet.
 *
 * <p>The generation works as a sequence lock: odd while the caller writes the body and part count,
 * even once they are published. A worker takes a dispatch only if it read the same even generation
 * before and after reading the body, so it can never pair one dispatch's body with another's count,
 * nor run a part twice; a worker left out of a small dispatch may skip it entirely.
 *
 * <p>Parts are not bound to threads: the caller and the workers claim part numbers from a shared
 * ticket until none are left, and the caller then waits only for parts already running. On a loaded
 * machine, where a woken worker may wait milliseconds for a CPU, the caller simply runs that worker's
 * parts itself instead of waiting. Results do not change: a part computes the same thing whichever
 * thread runs it. The ticket carries the dispatch's number in its high half, so a late worker can
 * never claim a part of a newer dispatch for an older body.
 *
 * <pre>{@code
 * KernelPool pool = KernelPool.global();
 * pool.run((part, parts) -> System.out.println(part + "/" + parts));
 * }</pre>
 */
public final class KernelPool implements AutoCloseable {
    private static final int SPIN_LIMIT = 20_000;
    private static final KernelPool GLOBAL = new KernelPool(Runtime.getRuntime().availableProcessors());

    static {
        CompilerDirectives.installInBackground(); // before the first kernel runs cold
    }

    private final AtomicInteger pending = new AtomicInteger();
    /** (dispatch number << 32) | next unclaimed part. */
    private final AtomicLong ticket = new AtomicLong();
    private volatile int dispatch;
    private volatile long generation;
    private volatile ParallelBody body;
    private volatile int parts;
    private volatile Throwable failure;
    private volatile boolean closed;
    private Thread caller;
    private volatile Workers workers;
    private volatile long generationSeenAtStart;
    /** Calls of {@link #run} so far, and the parts they ran in: written under the pool's lock. */
    private long dispatches;
    private long partsDispatched;

    /** The threads of one size of the pool; replaced as a whole when the size changes. */
    private static final class Workers {
        final Thread[] threads;
        volatile boolean stopped;

        Workers(int count) {
            threads = new Thread[count];
        }
    }

    /** A pool of {@code threads} threads in all, the caller included. */
    public KernelPool(int threads) {
        setThreads(threads);
    }

    /** The pool compiled graphs use by default, sized to the available processors. */
    public static KernelPool global() {
        return GLOBAL;
    }

    /** Resizes the pool; programs that hold it simply run with the new count from their next dispatch. */
    public synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        if (closed) {
            throw new IllegalStateException("kernel pool is closed");
        }
        if (workers != null && workers.threads.length == threads - 1) {
            return;
        }
        stopWorkers();
        Workers next = new Workers(threads - 1);
        for (int i = 0; i < next.threads.length; i++) {
            int part = i + 1;
            next.threads[i] = Thread.ofPlatform().daemon().name("kiln-kernel-" + part)
                    .unstarted(() -> workLoop(next, part));
        }
        generationSeenAtStart = generation;
        workers = next;
        for (Thread t : next.threads) {
            t.start();
        }
    }

    public int threads() {
        return workers.threads.length + 1;
    }

    /** Runs {@code work} split into {@link #threads()} parts and returns when every part is done. */
    public void run(ParallelBody work) {
        run(work, Integer.MAX_VALUE);
    }

    /**
     * Runs {@code work} in {@code requestedParts} parts (at most {@link #threads()}); small kernels ask
     * for fewer parts than threads so they do not pay for threads they cannot use.
     */
    public synchronized void run(ParallelBody work, int requestedParts) {
        if (closed) {
            throw new IllegalStateException("kernel pool is closed");
        }
        Workers current = workers;
        int n = Math.max(1, Math.min(requestedParts, current.threads.length + 1));
        dispatches++;
        partsDispatched += n;
        if (n == 1) {
            work.run(0, 1);
            return;
        }
        caller = Thread.currentThread();
        failure = null;
        int id = (dispatch + 1) & Integer.MAX_VALUE;
        generation++; // odd: publishing
        body = work;
        parts = n;
        dispatch = id;
        pending.set(n);
        ticket.set((long) id << 32);
        generation++; // even: published
        for (int i = 0; i < n - 1; i++) {
            LockSupport.unpark(current.threads[i]);
        }
        Throwable own = claimAndRun(work, n, id, true);
        awaitWorkers();
        body = null;
        Throwable fromWorker = failure;
        if (own != null) {
            rethrow(own);
        }
        if (fromWorker != null) {
            rethrow(fromWorker);
        }
    }

    /**
     * How many times {@link #run} has been called on this pool. With {@link #partsDispatched()} it shows
     * whether work really was split: a claim that results do not depend on the thread count is only
     * tested where the kernels ran in several parts.
     */
    public synchronized long dispatches() {
        return dispatches;
    }

    /** The parts of every {@link #run} so far added up: {@link #dispatches()} times the threads when each used them all. */
    public synchronized long partsDispatched() {
        return partsDispatched;
    }

    private void awaitWorkers() {
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < SPIN_LIMIT) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
    }

    private void workLoop(Workers mine, int part) {
        long seen = generationSeenAtStart;
        while (true) {
            int spins = 0;
            long current;
            while (((current = generation) == seen || (current & 1) != 0) && !mine.stopped) {
                if (++spins < SPIN_LIMIT) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (mine.stopped) {
                return;
            }
            ParallelBody work = body;
            int n = parts;
            int id = dispatch;
            if (generation != current) {
                continue; // a newer dispatch started while we read: read again
            }
            seen = current;
            if (work != null) {
                claimAndRun(work, n, id, false);
            }
        }
    }

    /**
     * Claims parts of dispatch {@code id} until none are left and runs them; returns the caller's first
     * failure (a worker's goes to {@link #failure}). The last part to finish wakes the caller.
     */
    private Throwable claimAndRun(ParallelBody work, int n, int id, boolean isCaller) {
        Throwable first = null;
        while (true) {
            long t = ticket.get();
            if ((int) (t >>> 32) != id || (int) t >= n) {
                return first;
            }
            if (!ticket.compareAndSet(t, t + 1)) {
                continue;
            }
            try {
                work.run((int) t, n);
            } catch (Throwable e) {
                if (!isCaller) {
                    failure = e;
                } else if (first == null) {
                    first = e;
                }
            }
            if (pending.decrementAndGet() == 0 && !isCaller) {
                LockSupport.unpark(caller);
            }
        }
    }

    private void stopWorkers() {
        if (workers != null) {
            workers.stopped = true;
            for (Thread t : workers.threads) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Stops the worker threads; the global pool ignores this, since every model shares it. */
    @Override
    public synchronized void close() {
        if (this == GLOBAL || closed) {
            return;
        }
        closed = true;
        stopWorkers();
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("kernel failed", t);
    }
}
