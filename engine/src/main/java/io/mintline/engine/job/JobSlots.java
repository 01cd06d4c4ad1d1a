package io.mintline.engine.job;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The node's bounded concurrency for jobs: at most {@code size} hold a slot at once, the rest
 * wait in arrival order. Nothing is ever refused; a waiting job simply starts later. Every
 * granted slot must be {@linkplain Slot#release() released} exactly once (a second release is a
 * no-op).
 */
public final class JobSlots {
  private final int size;
  private final Deque<CompletableFuture<Slot>> waiting = new ArrayDeque<>();
  private int inUse;

  public JobSlots(int size) {
    if (size < 1) throw new IllegalArgumentException("size must be at least 1");
    this.size = size;
  }

  /** Completes when a slot is free. */
  public synchronized CompletionStage<Slot> acquire() {
    if (inUse < size) {
      inUse++;
      return CompletableFuture.completedFuture(new Slot());
    }
    CompletableFuture<Slot> later = new CompletableFuture<>();
    waiting.add(later);
    return later;
  }

  public synchronized int inUse() {
    return inUse;
  }

  public synchronized int waiting() {
    return waiting.size();
  }

  private void free() {
    CompletableFuture<Slot> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inUse--;
        return;
      }
    }
    next.complete(new Slot()); // the slot passes straight to the next in line
  }

  /** One held slot. */
  public final class Slot {
    private boolean released;

    public void release() {
      synchronized (JobSlots.this) {
        if (released) return;
        released = true;
      }
      free();
    }
  }
}
