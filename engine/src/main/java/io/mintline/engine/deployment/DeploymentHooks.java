package io.mintline.engine.deployment;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Points in a deployment's life where tests can stop the world (kill the node) to prove that
 * every step resumes safely. Production uses {@link #NONE}.
 */
public interface DeploymentHooks {

  /** Where a deployment is when the hook is called. */
  enum Checkpoint {
    /** {@code Requested} is persisted; nothing has been signed. */
    REQUESTED_PERSISTED,
    /** {@code Submitted} (with the signed bytes) is persisted; the bytes have not been sent. */
    SUBMITTED_PERSISTED,
    /** The chain accepted the transaction; {@code Confirmed} is not persisted yet. */
    CHAIN_ACCEPTED
  }

  DeploymentHooks NONE = (id, checkpoint) -> CompletableFuture.completedFuture(null);

  /** The deployment goes on when the returned stage completes. */
  CompletionStage<Void> reached(String deploymentId, Checkpoint checkpoint);
}
