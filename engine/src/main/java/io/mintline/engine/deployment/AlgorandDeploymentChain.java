package io.mintline.engine.deployment;

import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.keys.Cosigning;
import io.mintline.deploy.tipproxy.SignedDeployment;
import io.mintline.deploy.tipproxy.SignedFunding;
import io.mintline.deploy.tipproxy.TipProxyDeployer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Deployments on Algorand: TipProxy apps signed by the DEPLOY key, sent through the gateway. When
 * the deploy role is a multisig, each transaction signed with the node's share waits in
 * {@link Cosigning} until co-signers reach the threshold; the deployment persists and submits only
 * the fully signed bytes (it stays {@code requested}, or {@code confirmed} for the funding, meanwhile).
 */
public final class AlgorandDeploymentChain implements DeploymentChain {
  private final TipProxyDeployer deployer;
  private final AlgorandGateway gateway;
  private final Cosigning cosigning;

  public AlgorandDeploymentChain(TipProxyDeployer deployer, AlgorandGateway gateway) {
    this(deployer, gateway, Cosigning.NONE);
  }

  public AlgorandDeploymentChain(TipProxyDeployer deployer, AlgorandGateway gateway, Cosigning cosigning) {
    this.deployer = deployer;
    this.gateway = gateway;
    this.cosigning = cosigning;
  }

  @Override
  public CompletionStage<SignedTx> signCreate(String deploymentId, String owner, String displayName) {
    return gateway.params().thenCompose(params -> {
      SignedDeployment signed = deployer.signDeployment(deploymentId, owner, displayName, params);
      return complete("deploy:" + deploymentId, signed.txId(), signed.signedBytes(), signed.firstValid(), signed.lastValid())
          .thenApply(c -> new SignedTx(c.txId(), c.signedBytes(), signed.lease(), c.lastValid()));
    });
  }

  @Override
  public CompletionStage<SignedTx> signFunding(String deploymentId, String appAddress) {
    return gateway.params().thenCompose(params -> {
      SignedFunding signed = deployer.signFunding(deploymentId, appAddress, TipProxyDeployer.APP_MIN_BALANCE, params);
      return complete("fund:" + deploymentId, signed.txId(), signed.signedBytes(), signed.firstValid(), signed.lastValid())
          .thenApply(c -> new SignedTx(c.txId(), c.signedBytes(), signed.lease(), c.lastValid()));
    });
  }

  /** The bytes to submit: as signed, or — for a multisig deploy role — once co-signers reached the threshold. */
  private CompletionStage<Cosigning.Cosigned> complete(String purpose, String txId, byte[] bytes, long firstValid, long lastValid) {
    return deployer.multisig()
        .map(multisig -> cosigning.cosign("deploy", purpose, multisig, bytes, firstValid, lastValid))
        .orElseGet(() -> CompletableFuture.completedFuture(new Cosigning.Cosigned(null, txId, bytes, lastValid)));
  }

  @Override
  public String applicationAddress(long appId) {
    return TipProxyDeployer.applicationAddress(appId);
  }

  @Override
  public AlgorandGateway gateway() {
    return gateway;
  }
}
