package io.mintline.deploy.algorand;

/**
 * A confirmed transaction: its round and, when it created one, the application or asset id
 * (null otherwise).
 */
public record Confirmation(String txId, long round, Long applicationId, Long assetId) {}
