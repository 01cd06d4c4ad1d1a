package io.mintline.devnet;

/**
 * An account funded at genesis. The mnemonic is a secret of this devnet only: it is served by
 * {@code GET /devnet/accounts} and never logged.
 */
public record GenesisAccount(String address, String mnemonic) {

  @Override
  public String toString() {
    return "GenesisAccount[address=" + address + "]";
  }
}
