package io.mintline.deploy.algorand;

/** Suggested transaction parameters as algod gives them. */
public record ChainParams(long lastRound, long minFee, long fee, String genesisId, byte[] genesisHash) {}
