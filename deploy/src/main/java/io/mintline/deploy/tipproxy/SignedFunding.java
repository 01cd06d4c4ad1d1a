package io.mintline.deploy.tipproxy;

/**
 * A signed payment from the deploy account to a TipProxy app account (its minimum balance, so the
 * app can send inner payments), leased by the deployment id like {@link SignedDeployment}.
 */
public record SignedFunding(String txId, byte[] signedBytes, byte[] lease, String appAddress, long microAlgos,
    long firstValid, long lastValid) {}
