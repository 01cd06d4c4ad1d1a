package io.mintline.http.keys;

import com.algorand.algosdk.crypto.Address;
import io.mintline.config.KeySettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.algorand.Txids;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.KeyChanges;
import io.mintline.deploy.keys.KeyRing;
import io.mintline.deploy.keys.KeyRole;
import io.mintline.deploy.keys.KeyRotation;
import io.mintline.deploy.keys.KeystoreFile;
import io.mintline.deploy.keys.MultisigAccount;
import io.mintline.deploy.keys.MultisigSigner;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.keys.Signer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotation and revocation of the role keys while the node runs (the address of each role's
 * account stays; the key allowed to sign for it changes on chain, by rekeying):
 *
 * <ul>
 *   <li>{@link #rotate} a single-key role: a new key is made, the account is rekeyed to it with the
 *       current key ({@link KeyRotation}) and the node signs with it from then on.
 *   <li>{@link #rotate} a multisig role: a new member key is made for this node; the rekey of the
 *       account to the multisig with that member in place of the old one is proposed, signed with
 *       the node's current share, and takes effect when co-signers reach the threshold.
 *   <li>{@link #revoke} a multisig role whose node key is compromised: the same rekey, but not signed
 *       with the compromised key — the other members (the admins' wallets) alone reach the threshold.
 * </ul>
 *
 * Before anything is sent the new key is kept in the cluster's key ring ({@link KeyRingStore},
 * sealed under the keystore passphrase), from which every other node takes it ({@link KeyRingSync})
 * and which a restarted node reads; once the rekey is confirmed this node also writes it to its
 * keystore file when one is configured. Off devnet a rotation without a keystore or a passphrase is
 * refused.
 */
public final class KeyCustody {
  private static final Logger log = LoggerFactory.getLogger(KeyCustody.class);

  /** What a rotation or revocation did: {@code rotated} at once, or {@code proposed} (waiting for co-signers). */
  public record Change(String role, String status, String account, String oldKey, String newKey, String txId, Long round,
      String proposalId) {}

  /** A role's account and key as the node signs with it now. */
  public record RoleKey(String role, String account, String key, String multisig, Integer threshold, List<String> members) {}

  /** Why a change is refused: the routes answer 409 with the message. */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  private final KeyRing ring;
  private final KeySettings settings;
  private final MintlineSettings.Network network;
  private final AlgorandGateway gateway;
  private final SignatureLog signatures;
  private final Proposals proposals;
  private final int proposalValidityRounds;
  private final KeyRotation rotation;
  private final KeyChanges changes;

  public KeyCustody(KeyRing ring, KeySettings settings, MintlineSettings.Network network, AlgorandGateway gateway,
      SignatureLog signatures, Proposals proposals, int proposalValidityRounds) {
    this(ring, settings, network, gateway, signatures, proposals, proposalValidityRounds, KeyChanges.NONE);
  }

  /** As above; {@code changes} keeps each new key for the cluster before its rekey can be sent ({@link KeyRingSync}). */
  public KeyCustody(KeyRing ring, KeySettings settings, MintlineSettings.Network network, AlgorandGateway gateway,
      SignatureLog signatures, Proposals proposals, int proposalValidityRounds, KeyChanges changes) {
    this.changes = changes;
    this.ring = ring;
    this.settings = settings;
    this.network = network;
    this.gateway = gateway;
    this.signatures = signatures;
    this.proposals = proposals;
    this.proposalValidityRounds = proposalValidityRounds;
    this.rotation = new KeyRotation(ring, gateway, signatures, changes);
  }

  /** Every role's account and current key. */
  public List<RoleKey> roles() {
    List<RoleKey> out = new ArrayList<>();
    for (KeyRole role : KeyRole.values()) {
      Signer key = ring.signer(role).current();
      if (key instanceof MultisigSigner m) {
        out.add(new RoleKey(role.id(), m.address().toString(), m.keyAddress().toString(), m.multisig().address().toString(),
            m.multisig().threshold(), m.multisig().members().stream().map(Address::toString).toList()));
      } else {
        out.add(new RoleKey(role.id(), key.address().toString(), key.keyAddress().toString(), null, null, null));
      }
    }
    return out;
  }

  /** Rotates {@code role}'s key; see the class comment. */
  public CompletionStage<Change> rotate(KeyRole role) {
    checkKeepable(role);
    Signer current = ring.signer(role).current();
    Ed25519Signer next = Ed25519Signer.generate(role.id());
    if (current instanceof MultisigSigner m) return proposeRekey(role, m, next, true);
    return rotation.rotate(role, next).thenApply(done -> {
      keep(role, ring.signer(role).current());
      return new Change(role.id(), "rotated", done.account(), done.oldKey(), done.newKey(), done.txId(), done.round(), null);
    });
  }

  /** Revokes the node's key of multisig role {@code role}: the co-signers rekey the account without it. */
  public CompletionStage<Change> revoke(KeyRole role) {
    Signer current = ring.signer(role).current();
    if (!(current instanceof MultisigSigner m)) {
      throw new Refused("the " + role.id() + " role is held by one key: nobody but that key can rekey its account; rotate it "
          + "(POST /api/v1/admin/keys/" + role.id() + "/rotation) or move to a multisig (docs/runbooks/key-compromise.md)");
    }
    checkKeepable(role);
    return proposeRekey(role, m, Ed25519Signer.generate(role.id()), false);
  }

  /**
   * Proposes rekeying the multisig role's account to the same multisig with {@code next} in place of
   * this node's member, signed with the node's share when {@code withShare}; once the co-signers
   * reach the threshold it is submitted and, confirmed, the node signs with {@code next}.
   */
  private CompletionStage<Change> proposeRekey(KeyRole role, MultisigSigner current, Ed25519Signer next, boolean withShare) {
    MultisigAccount old = current.multisig();
    List<Address> members = new ArrayList<>(old.members());
    members.set(members.indexOf(current.keyAddress()), next.keyAddress());
    MultisigAccount replacement = MultisigAccount.of(old.threshold(), members);
    Address account = current.address();
    String purpose = (withShare ? "rotate:" : "revoke:") + role.id() + ":" + next.keyAddress();
    return gateway.params().thenCompose(params -> {
      var rekey = KeyRotation.rekey(account, replacement.address(), purpose, params, proposalValidityRounds);
      byte[] partly;
      try {
        partly = withShare
            ? old.encode(rekey, Map.of(current.keyAddress(), current.signBytes(rekey.bytesToSign())))
            : old.encode(rekey, Map.of());
      } catch (java.io.IOException e) {
        throw new IllegalStateException("the rekey does not encode", e);
      }
      String txId = Txids.firstTxId(partly);
      if (withShare) signatures.signed(current.keyId(), purpose, txId);
      long firstValid = rekey.firstValid.longValue();
      long lastValid = rekey.lastValid.longValue();
      CompletableFuture<String> proposalId = new CompletableFuture<>();
      MultisigSigner now = new MultisigSigner(role.id(), next, replacement, account);
      // The new key is kept for the cluster before the proposal exists: any node can finish the rekey (KeyRingSync).
      changes.coming(role, now, purpose, txId, lastValid).thenCompose(change ->
          proposals.cosign(role.id(), purpose, old, partly, firstValid, lastValid, proposalId::complete)
          .thenCompose(cosigned -> gateway.submit(cosigned.signedBytes())
              .thenCompose(accepted -> {
                ring.rotate(role, now);
                changes.tookEffect(change);
                return gateway.awaitConfirmation(cosigned.txId(), cosigned.lastValid()).whenComplete((c, failure) -> {
                  if (failure != null) {
                    ring.rotate(role, current);
                    changes.failed(change);
                    log.error("The rekey {} of the {} account did not confirm ({}); signing with the old multisig again",
                        cosigned.txId(), role.id(), failure.getMessage());
                  } else {
                    keep(role, next);
                    changes.confirmed(change);
                    log.warn("The {} account {} is rekeyed to {} (round {}); the node's old key {} no longer signs for it",
                        role.id(), account, replacement, c.round(), current.keyAddress());
                  }
                });
              })))
          .whenComplete((c, failure) -> {
            // Not marked failed here: another node may have submitted it (KeyRingSync reads the chain).
            if (failure != null) proposalId.completeExceptionally(failure);
            if (failure != null) log.error("The {} of the {} key did not complete on this node: {}", withShare ? "rotation" : "revocation", role.id(), failure.getMessage());
          });
      return proposalId.thenApply(id -> new Change(role.id(), "proposed", account.toString(), current.keyAddress().toString(),
          next.keyAddress().toString(), txId, null, id));
    });
  }

  /** A new key must survive a restart: a keystore to write it to, or devnet. */
  private void checkKeepable(KeyRole role) {
    Signer current = ring.signer(role).current();
    Signer own = current instanceof MultisigSigner m ? m.member() : current;
    if (own instanceof io.mintline.deploy.keys.Pkcs11Signer) {
      throw new Refused("the " + role.id() + " key is on a PKCS#11 token: make the new key on the token (KeystoreTool pkcs11-generate) "
          + "and rekey the account to it as docs/runbooks/key-compromise.md says; the node does not move a role off its token");
    }
    if (settings.keystore().isEmpty() && network != MintlineSettings.Network.DEVNET) {
      throw new Refused("rotating the " + role.id() + " key needs the keystore file (mintline.keys.keystore) to keep the new key");
    }
    if (settings.keystorePassphrase().isEmpty() && network != MintlineSettings.Network.DEVNET) {
      throw new Refused("rotating the " + role.id() + " key needs mintline.keys.keystore-passphrase: it seals the new key in the "
          + "cluster's key ring, where the other nodes read it");
    }
  }

  /** Writes {@code key} as {@code role}'s into the keystore, when there is one. */
  private void keep(KeyRole role, Signer key) {
    Optional<Path> keystore = settings.keystore();
    if (keystore.isEmpty()) {
      log.warn("The new {} key {} is held in memory only (devnet without mintline.keys.keystore): it is lost at restart",
          role.id(), key.keyAddress());
      return;
    }
    if (!(key instanceof Ed25519Signer ed)) return;
    char[] passphrase = settings.keystorePassphrase().toCharArray();
    synchronized (KeyCustody.class) {
      Map<KeyRole, Ed25519Signer> stored = new EnumMap<>(KeyRole.class);
      stored.putAll(KeystoreFile.read(keystore.get(), passphrase));
      stored.put(role, ed);
      KeystoreFile.write(keystore.get(), passphrase, stored);
    }
    log.info("The new {} key {} is in the keystore {}", role.id(), key.keyAddress(), keystore.get());
  }
}
