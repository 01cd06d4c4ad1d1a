package io.mintline.deploy.tipproxy;

/**
 * A signed TipProxy app-create transaction, ready to be persisted and then submitted (and resent
 * as is after a crash). {@code lease} is derived from the deployment id, so no other transaction
 * of the deploy account with that lease can be accepted until {@code lastValid} has passed.
 */
public record SignedDeployment(String txId, byte[] signedBytes, byte[] lease, long firstValid, long lastValid) {}
