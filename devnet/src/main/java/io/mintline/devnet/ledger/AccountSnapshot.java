package io.mintline.devnet.ledger;

import java.util.List;

/** A consistent copy of one account for the HTTP layer. */
public record AccountSnapshot(String address, long round, long amount, long minBalance,
    String authAddr, List<Holding> holdings, List<AssetState> createdAssets,
    List<AppState> createdApps, List<Long> optedInApps) {}
