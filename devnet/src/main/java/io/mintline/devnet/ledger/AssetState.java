package io.mintline.devnet.ledger;

/** An Algorand Standard Asset's parameters. Addresses are base32 strings, or null when unset. */
public record AssetState(long id, String creator, long total, int decimals, boolean defaultFrozen,
    String unitName, String name, String url, byte[] metadataHash, String manager, String reserve,
    String freeze, String clawback) {

  AssetState withAddresses(String manager, String reserve, String freeze, String clawback) {
    return new AssetState(id, creator, total, decimals, defaultFrozen, unitName, name, url,
        metadataHash, manager, reserve, freeze, clawback);
  }
}
