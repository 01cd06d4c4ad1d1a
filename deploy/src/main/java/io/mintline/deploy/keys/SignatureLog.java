package io.mintline.deploy.keys;

/**
 * Where every signature is reported (SPEC "Keys": the audit log records key id, purpose and txid).
 * Called after signing and before the bytes leave the signer's caller; never given key material.
 */
@FunctionalInterface
public interface SignatureLog {
  /** Records nothing (tests and tools). */
  SignatureLog NONE = (keyId, purpose, txId) -> { };

  /**
   * @param keyId the signer's {@link Signer#keyId()}
   * @param purpose what was signed, such as {@code deploy:<deploymentId>}
   * @param txId the signed transaction's id
   */
  void signed(String keyId, String purpose, String txId);
}
