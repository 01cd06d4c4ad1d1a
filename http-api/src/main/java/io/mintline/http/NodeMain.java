package io.mintline.http;

import io.mintline.engine.concurrent.Stages;

/**
 * The jar's entry point. It widens the common pool before any other class runs its static
 * initialisers: by the time {@link MintlineNode#main} runs, loading that class has already fixed the
 * common pool's size for the JVM's lifetime (started through it, a two-core node logs parallelism 1). With fewer than three cores that size is 1,
 * and every asynchronous callback on a stage Akka hands out then starts a thread of its own (seen as
 * {@code /alive} serving a seventh of {@code /health}'s rate). Nothing but this class may be named in
 * the manifest.
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) {
    Stages.widenCommonPool();
    MintlineNode.main(args);
  }
}
