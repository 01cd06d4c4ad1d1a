package io.mintline.deploy.keys;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import io.mintline.deploy.DevnetFixture;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.SignedTxns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the devnet: a multisig role's share is not enough on its own and the threshold is; a
 * rotation rekeys the account (address unchanged), the ring signs with the new key at once, and the
 * chain refuses the old one; a rotated key survives the keystore.
 */
class MultisigAndRotationTest {
  @TempDir Path dir;

  @Test
  void aMultisigShareNeedsItsCosignersAndTheThresholdMovesFunds() throws Exception {
    try (DevnetFixture fixture = new DevnetFixture(); AlgodGateway gateway = fixture.gateway()) {
      Ed25519Signer node = Ed25519Signer.generate("deploy");
      Ed25519Signer cosigner = Ed25519Signer.generate("cosigner");
      Ed25519Signer third = Ed25519Signer.generate("third");
      MultisigAccount multisig = MultisigAccount.of(2, List.of(node.keyAddress(), cosigner.keyAddress(), third.keyAddress()));
      fixture.devnet.fund(multisig.address().toString(), 5_000_000);
      MultisigSigner share = new MultisigSigner("deploy", node, multisig, multisig.address());
      assertEquals(multisig.address(), share.address());
      assertTrue(share.keyId().contains("msig:2-of-3"), share.keyId());

      ChainParams params = gateway.params().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Transaction pay = payment(multisig.address(), cosigner.keyAddress(), 1_000_000, params);
      byte[] partly = share.signToBytes(pay);
      ChainException refused = refusal(gateway, partly);
      assertTrue(refused.getMessage().contains("fewer than the threshold"), refused.getMessage());

      // What a co-signer's wallet adds: its subsignature over the same bytes.
      byte[] message = SignedTxns.message(partly);
      assertArrayEquals(pay.bytesToSign(), message, "the canonical message is the one algosdk signs");
      byte[] theirs = cosigner.signBytes(message);
      assertTrue(MultisigAccount.verifies(cosigner.keyAddress(), message, theirs));
      assertFalse(MultisigAccount.verifies(third.keyAddress(), message, theirs), "another member's key does not verify it");
      byte[] complete = multisig.encode(pay, Map.of(node.keyAddress(), SignedTxns.multisigSubsigs(partly).get(0).signature(),
          cosigner.keyAddress(), theirs));
      assertEquals(2, SignedTxns.multisigSubsigs(complete).stream().filter(s -> s.signature() != null).count());
      assertNotNull(gateway.submit(complete).toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aRotationRekeysTheAccountAndTheOldKeyIsRefusedAfterwards() throws Exception {
    try (DevnetFixture fixture = new DevnetFixture(); AlgodGateway gateway = fixture.gateway()) {
      Map<KeyRole, Signer> keys = new EnumMap<>(KeyRole.class);
      for (KeyRole role : KeyRole.values()) keys.put(role, fixture.fundedKey(role.id(), 10_000_000));
      KeyRing ring = KeyRing.of(keys);
      Signer old = ring.mint().current();
      Address account = ring.mint().address();
      List<String> signed = new ArrayList<>();
      KeyRotation rotation = new KeyRotation(ring, gateway, (keyId, purpose, txId) -> signed.add(keyId + " " + purpose));
      Ed25519Signer next = Ed25519Signer.generate("mint");

      KeyRotation.Rotated done = rotation.rotate(KeyRole.MINT, next).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(account.toString(), done.account());
      assertEquals(next.keyAddress().toString(), done.newKey());
      assertEquals(account, ring.mint().address(), "the address stays");
      assertEquals(next.keyAddress(), ring.mint().keyAddress(), "the ring signs with the new key, no restart");
      assertEquals(List.of(old.keyId() + " rotate:mint"), signed, "the rekey is audited under the old key");

      ChainParams params = gateway.params().toCompletableFuture().get(10, TimeUnit.SECONDS);
      ChainException refused = refusal(gateway, old.signToBytes(payment(account, account, 0, params)));
      assertTrue(refused.getMessage().contains("should have been authorized by " + next.keyAddress()), refused.getMessage());
      assertNotNull(gateway.submit(ring.mint().signToBytes(payment(account, account, 0, params))).toCompletableFuture()
          .get(10, TimeUnit.SECONDS), "the new key signs for the same account");

      // A second rotation goes from the rekeyed key to the next (sgnr = the current key).
      Ed25519Signer third = Ed25519Signer.generate("mint");
      rotation.rotate(KeyRole.MINT, third).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(third.keyAddress(), ring.mint().keyAddress());

      // The keystore keeps the account a rotated key signs for.
      Path file = dir.resolve("keys.json");
      Map<KeyRole, Ed25519Signer> stored = new EnumMap<>(KeyRole.class);
      stored.put(KeyRole.MINT, (Ed25519Signer) ring.mint().current());
      KeystoreFile.write(file, "a long passphrase".toCharArray(), stored);
      Ed25519Signer read = KeystoreFile.read(file, "a long passphrase".toCharArray()).get(KeyRole.MINT);
      assertEquals(account, read.address());
      assertEquals(third.keyAddress(), read.keyAddress());
    }
  }

  @Test
  void aMultisigRoleIsNotRotatedByItsShareAlone() {
    Ed25519Signer node = Ed25519Signer.generate("deploy");
    MultisigAccount multisig = MultisigAccount.of(2, List.of(node.keyAddress(), Ed25519Signer.generate("a").keyAddress()));
    Map<KeyRole, Signer> keys = new EnumMap<>(KeyRole.class);
    for (KeyRole role : KeyRole.values()) keys.put(role, Ed25519Signer.generate(role.id()));
    keys.put(KeyRole.DEPLOY, node);
    KeyRing ring = KeyRing.of(keys).withMultisig(KeyRole.DEPLOY, multisig, "mintline.keys.multisig.deploy-keys");
    assertEquals(multisig.address(), ring.deploy().address());
    assertTrue(ring.deploy().current() instanceof MultisigSigner);
    assertThrows(IllegalArgumentException.class, () -> new KeyRotation(ring, null, SignatureLog.NONE).rotate(KeyRole.DEPLOY,
        Ed25519Signer.generate("deploy")));
    Ed25519Signer stranger = Ed25519Signer.generate("deploy");
    Map<KeyRole, Signer> other = new EnumMap<>(keys);
    other.put(KeyRole.DEPLOY, stranger);
    io.mintline.config.SettingsException e = assertThrows(io.mintline.config.SettingsException.class,
        () -> KeyRing.of(other).withMultisig(KeyRole.DEPLOY, multisig, "mintline.keys.multisig.deploy-keys"));
    assertTrue(e.getMessage().contains("mintline.keys.multisig.deploy-keys"), e.getMessage());
  }

  private static ChainException refusal(AlgodGateway gateway, byte[] signed) throws Exception {
    try {
      gateway.submit(signed).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | CompletionException e) {
      if (e.getCause() instanceof ChainException chain) return chain;
      throw e;
    }
    fail("the chain took it");
    return null;
  }

  private static Transaction payment(Address from, Address to, long amount, ChainParams params) {
    return Transaction.PaymentTransactionBuilder()
        .sender(from)
        .receiver(to)
        .amount(amount)
        .flatFee(params.minFee())
        .firstValid(params.lastRound())
        .lastValid(params.lastRound() + 100)
        .genesisID(params.genesisId())
        .genesisHash(new Digest(params.genesisHash()))
        .note(("test " + System.nanoTime()).getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .build();
  }
}
