package io.mintline.engine.deployment;

import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.tipproxy.SignedDeployment;
import io.mintline.deploy.tipproxy.SignedFunding;
import io.mintline.deploy.tipproxy.TipProxyDeployer;
import java.util.concurrent.CompletionStage;

/** Deployments on Algorand: TipProxy apps signed by the DEPLOY key, sent through the gateway. */
public final class AlgorandDeploymentChain implements DeploymentChain {
  private final TipProxyDeployer deployer;
  private final AlgorandGateway gateway;

  public AlgorandDeploymentChain(TipProxyDeployer deployer, AlgorandGateway gateway) {
    this.deployer = deployer;
    this.gateway = gateway;
  }

  @Override
  public CompletionStage<SignedTx> signCreate(String deploymentId, String owner, String displayName) {
    return gateway.params().thenApply(params -> {
      SignedDeployment signed = deployer.signDeployment(deploymentId, owner, displayName, params);
      return new SignedTx(signed.txId(), signed.signedBytes(), signed.lease(), signed.lastValid());
    });
  }

  @Override
  public CompletionStage<SignedTx> signFunding(String deploymentId, String appAddress) {
    return gateway.params().thenApply(params -> {
      SignedFunding signed = deployer.signFunding(deploymentId, appAddress, TipProxyDeployer.APP_MIN_BALANCE, params);
      return new SignedTx(signed.txId(), signed.signedBytes(), signed.lease(), signed.lastValid());
    });
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
