package io.mintline.engine.deployment;

import io.mintline.deploy.algorand.AlgorandGateway;
import java.util.concurrent.CompletionStage;

/**
 * What a deployment needs from the chain side: signed transactions built from current chain
 * parameters, and the gateway to submit and confirm them. Signing is local and has no effect on
 * the chain; only {@link AlgorandGateway#submit} does.
 */
public interface DeploymentChain {

  /** Signs the TipProxy app-create transaction for {@code deploymentId}, leased by that id. */
  CompletionStage<SignedTx> signCreate(String deploymentId, String owner, String displayName);

  /** Signs the payment that funds the app account's minimum balance, leased by the deployment id. */
  CompletionStage<SignedTx> signFunding(String deploymentId, String appAddress);

  /** The Algorand address of application {@code appId}. */
  String applicationAddress(long appId);

  AlgorandGateway gateway();

  /** A signed transaction ready to send, with what is needed to resend or rebuild it safely. */
  record SignedTx(String txId, byte[] signedBytes, byte[] lease, long lastValid) {}
}
